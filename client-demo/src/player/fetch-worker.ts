// The worker behind worker-loader.ts: it makes hls.js's requests and answers
// each with one message, the body transferred. Written against the DOM's
// types (the front end's one program); a worker's global has the same fetch,
// AbortController, performance and message events.
import type { FetchReply, FetchRequest } from './worker-loader';

const scope = self as unknown as {
  addEventListener(type: 'message', listener: (e: MessageEvent<FetchRequest>) => void): void;
  postMessage(message: FetchReply, transfer: Transferable[]): void;
};
const inflight = new Map<number, AbortController>();
const now = () => performance.timeOrigin + performance.now();

async function load(request: Extract<FetchRequest, { type: 'load' }>): Promise<void> {
  const { id } = request;
  const abort = new AbortController();
  inflight.set(id, abort);
  const reply: FetchReply = { id, status: 0, text: '', url: request.url, headers: {}, first: 0, end: 0 };
  let timedOut = false;
  const firstByte = setTimeout(() => {
    timedOut = true;
    abort.abort();
  }, request.firstByteMs);
  try {
    const res = await fetch(request.url, {
      headers: request.headers,
      signal: abort.signal,
      mode: 'cors',
      credentials: 'same-origin',
    });
    clearTimeout(firstByte);
    reply.first = now();
    reply.status = res.status;
    reply.text = res.statusText;
    reply.url = res.url;
    res.headers.forEach((value, name) => (reply.headers[name] = value));
    if (res.ok)
      reply.data = request.responseType === 'arraybuffer' ? await res.arrayBuffer() : await res.text();
    reply.end = now();
  } catch (e) {
    clearTimeout(firstByte);
    // Aborted by the page: nobody waits for an answer.
    if (abort.signal.aborted && !timedOut) return;
    reply.timedOut = timedOut;
    reply.text = (e as Error).message;
    reply.end = now();
  } finally {
    inflight.delete(id);
  }
  scope.postMessage(reply, reply.data instanceof ArrayBuffer ? [reply.data] : []);
}

scope.addEventListener('message', (e) => {
  const m = e.data;
  if (m.type === 'load') void load(m);
  else inflight.get(m.id)?.abort();
});
