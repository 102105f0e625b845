/**
 * One viewer process of bench/chat.ts: opens many `/live` connections over
 * the websocket transport, joins them all to one room, and counts the chat
 * lines they receive, with the delay from the send time carried in the text.
 *
 * `client=socketio` uses socket.io-client (what browsers run); `client=raw`
 * speaks the engine.io/socket.io wire protocol over a bare `ws` socket and
 * reads only the timestamp, to show how much of the machine the client
 * library itself takes.
 */
import WebSocket from 'ws';
import { io, type Socket } from 'socket.io-client';

interface Options {
  url: string;
  streamId: string;
  count: number;
  offset: number;
  client: 'socketio' | 'raw';
}

const opts = JSON.parse(process.argv[2]) as Options;
const MAX_MS = 10_000;
const hist = new Uint32Array(MAX_MS + 1);
/** Lines sent in [from, to) are counted, whenever they arrive (until the parent collects). */
let from = Infinity;
let to = Infinity;
let deliveries = 0;
/** Lines a socket got twice (each must arrive exactly once). */
let duplicates = 0;
/** Chat frames received in the window (chat:message or chat:messages), whatever they carry. */
let frames = 0;
let measuring = false;
const sockets: { close(): void }[] = [];
/** Per socket, the seqs it has seen (a bit each). */
const seen: Uint8Array[] = [];

/** Text is `bench <sentAtMs> <seq>`. */
function onLine(i: number, text: string): void {
  const sp = text.indexOf(' ', 6);
  const sentAt = Number(text.slice(6, sp));
  const seq = parseInt(text.slice(sp + 1), 10);
  let bits = seen[i];
  if (!bits || seq >> 3 >= bits.length) {
    const grown = new Uint8Array(Math.max(64, (seq >> 3) * 2));
    if (bits) grown.set(bits);
    seen[i] = bits = grown;
  }
  if (bits[seq >> 3] & (1 << (seq & 7))) duplicates++;
  bits[seq >> 3] |= 1 << (seq & 7);
  if (!(sentAt >= from && sentAt < to)) return;
  const ms = Math.max(0, Math.min(MAX_MS, Date.now() - sentAt));
  hist[ms]++;
  deliveries++;
}

function socketIoViewer(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s: Socket = io(`${opts.url}/live`, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    sockets.push({ close: () => s.disconnect() });
    s.on('chat:message', (m: { text: string }) => {
      if (measuring) frames++;
      onLine(i, m.text);
    });
    s.on('chat:messages', (p: { messages: { text: string }[] }) => {
      if (measuring) frames++;
      p.messages.forEach((m) => onLine(i, m.text));
    });
    s.once('connect_error', reject);
    s.once('connect', () => {
      s.emit('join', { streamId: opts.streamId, deviceId: `bench-viewer-${i}` }, (r: { error?: unknown }) =>
        r.error ? reject(new Error(JSON.stringify(r.error))) : resolve(),
      );
    });
  });
}

/** socket.io over a bare websocket: `0` open, `40/live,` connect, `2`/`3` ping/pong, `42/live,` events. */
function rawViewer(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${opts.url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`, {
      perMessageDeflate: false,
    });
    sockets.push({ close: () => ws.close() });
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const msg = data.toString();
      if (msg === '2') return ws.send('3');
      if (msg.startsWith('0{')) return ws.send('40/live,{}');
      if (msg.startsWith('40/live,')) {
        const join = { streamId: opts.streamId, deviceId: `bench-viewer-${i}` };
        return ws.send(`42/live,1${JSON.stringify(['join', join])}`);
      }
      if (msg.startsWith('43/live,1')) return msg.includes('"error"') ? reject(new Error(msg)) : resolve();
      if (measuring && msg.startsWith('42/live,["chat:message')) frames++;
      if (msg.startsWith('42/live,["chat:message"')) {
        const at = msg.indexOf('"text":"bench ');
        if (at >= 0) onLine(i, msg.slice(at + 8));
      } else if (msg.startsWith('42/live,["chat:messages"')) {
        for (let at = msg.indexOf('"text":"bench '); at >= 0; at = msg.indexOf('"text":"bench ', at + 1)) {
          onLine(i, msg.slice(at + 8));
        }
      }
    });
  });
}

async function main(): Promise<void> {
  const open = opts.client === 'raw' ? rawViewer : socketIoViewer;
  // Connect in waves so the server's accept queue and the handshakes keep up.
  const WAVE = 100;
  for (let i = 0; i < opts.count; i += WAVE) {
    const wave = [];
    for (let j = i; j < Math.min(opts.count, i + WAVE); j++) wave.push(open(opts.offset + j));
    await Promise.all(wave);
  }
  process.send?.({ type: 'ready' });
}

process.on('message', (m: { type: string; at?: number }) => {
  if (m.type === 'start') {
    from = m.at!;
    measuring = true;
  } else if (m.type === 'end') {
    to = m.at!;
    measuring = false;
  } else if (m.type === 'collect') {
    const u = process.cpuUsage();
    process.send?.({
      type: 'result',
      deliveries,
      duplicates,
      frames,
      hist: Array.from(hist),
      cpuMs: (u.user + u.system) / 1000,
    });
  } else if (m.type === 'exit') {
    for (const s of sockets) s.close();
    setTimeout(() => process.exit(0), 200);
  }
});

main().catch((e: unknown) => {
  process.send?.({ type: 'failed', error: e instanceof Error ? e.message : String(e) });
  process.exit(1);
});
