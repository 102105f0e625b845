import type { BaseLoader, LoaderCallbacks, LoaderConfiguration, LoaderContext, RetryConfig } from 'hls.js';
import { FetchChannel, workerLoader, type FetchReply, type FetchRequest } from './worker-loader';

// hls.js's loaders use the global `self`, as in a page or a worker, and BaseLoader's retry
// log reads a global `status` (a page's window.status, '').
Object.assign(globalThis, { self: globalThis, status: '' });
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Hls = (require('hls.js') as { default?: unknown }).default ?? require('hls.js');
// The CommonJS build exports only the player class; its default loader is a BaseLoader.
const Base = Object.getPrototypeOf(
  (Hls as { DefaultConfig: { loader: object } }).DefaultConfig.loader,
) as typeof BaseLoader;

/** The worker's side of the channel: what the page posted, and a way to answer. */
class FakeWorker extends EventTarget {
  readonly posted: FetchRequest[] = [];
  postMessage(m: FetchRequest): void {
    this.posted.push(m);
  }
  answer(reply: Partial<FetchReply> & { id: number }): void {
    const at = performance.timeOrigin + performance.now();
    const full: FetchReply = { status: 200, text: 'OK', url: '', headers: {}, first: at, end: at, ...reply };
    this.dispatchEvent(new MessageEvent('message', { data: full }));
  }
  last(): Extract<FetchRequest, { type: 'load' }> {
    const m = this.posted.filter((p) => p.type === 'load').at(-1);
    if (!m || m.type !== 'load') throw new Error('no load posted');
    return m;
  }
}

const retry = (maxNumRetry: number): RetryConfig => ({ maxNumRetry, retryDelayMs: 10, maxRetryDelayMs: 10 });

function config(maxNumRetry = 0): LoaderConfiguration {
  return {
    loadPolicy: {
      maxTimeToFirstByteMs: 8000,
      maxLoadTimeMs: 20000,
      timeoutRetry: retry(0),
      errorRetry: retry(maxNumRetry),
    },
  } as unknown as LoaderConfiguration;
}

function callbacks(): jest.Mocked<LoaderCallbacks<LoaderContext>> {
  return { onSuccess: jest.fn(), onError: jest.fn(), onTimeout: jest.fn(), onAbort: jest.fn() };
}

describe('workerLoader: hls.js requests made by a worker', () => {
  let worker: FakeWorker;
  let Loader: new (config: never) => BaseLoader;
  beforeEach(() => {
    worker = new FakeWorker();
    Loader = workerLoader(Base, new FetchChannel(worker));
  });

  it('asks the worker for the URL, the byte range and the first-byte limit, and hands hls.js the body', () => {
    const loader = new Loader(undefined as never);
    const cb = callbacks();
    const context = {
      url: 'http://h/hls/s/r0/p7.m4s',
      responseType: 'arraybuffer',
      rangeStart: 100,
      rangeEnd: 200,
    };
    loader.load(context as LoaderContext, config(), cb);
    const sent = worker.last();
    expect(sent).toMatchObject({
      url: context.url,
      responseType: 'arraybuffer',
      headers: { Range: 'bytes=100-199' },
      firstByteMs: 8000,
    });
    const body = new ArrayBuffer(1234);
    worker.answer({ id: sent.id, url: context.url, data: body, headers: { age: '2' } });
    expect(cb.onSuccess).toHaveBeenCalledTimes(1);
    const [response, stats] = cb.onSuccess.mock.calls[0];
    expect(response).toEqual({ url: context.url, code: 200, data: body });
    expect(stats.loaded).toBe(1234);
    expect(stats.loading.first).toBeGreaterThanOrEqual(stats.loading.start);
    expect(stats.loading.end).toBeGreaterThanOrEqual(stats.loading.first);
    expect(loader.getCacheAge()).toBe(2);
    expect(loader.getResponseHeader('Age')).toBe('2');
    expect(cb.onError).not.toHaveBeenCalled();
  });

  it('cancels the request in the worker on abort and ignores an answer that comes anyway', () => {
    const loader = new Loader(undefined as never);
    const cb = callbacks();
    loader.load({ url: 'http://h/p.m3u8', responseType: 'text' } as LoaderContext, config(), cb);
    const { id } = worker.last();
    loader.abort();
    expect(worker.posted.at(-1)).toEqual({ type: 'abort', id });
    expect(cb.onAbort).toHaveBeenCalledTimes(1);
    worker.answer({ id, data: '#EXTM3U\n' });
    expect(cb.onSuccess).not.toHaveBeenCalled();
  });

  it('retries a 503 by the policy, then succeeds; a 404 is an error at once', async () => {
    const loader = new Loader(undefined as never);
    const cb = callbacks();
    loader.load({ url: 'http://h/p.m3u8', responseType: 'text' } as LoaderContext, config(1), cb);
    worker.answer({ id: worker.last().id, status: 503, text: 'Service Unavailable' });
    expect(cb.onError).not.toHaveBeenCalled();
    await new Promise((r) => setTimeout(r, 30));
    const again = worker.last();
    expect(again.id).not.toBe(worker.posted[0].id);
    worker.answer({ id: again.id, data: '#EXTM3U\n' });
    expect(cb.onSuccess).toHaveBeenCalledTimes(1);
    expect(cb.onSuccess.mock.calls[0][1].retry).toBe(1);

    const other = new Loader(undefined as never);
    const cb2 = callbacks();
    other.load({ url: 'http://h/x.m3u8', responseType: 'text' } as LoaderContext, config(3), cb2);
    worker.answer({ id: worker.last().id, status: 404, text: 'Not Found' });
    expect(cb2.onError).toHaveBeenCalledWith(
      { code: 404, text: 'Not Found' },
      expect.anything(),
      null,
      expect.anything(),
    );
  });

  it("reports the worker's first-byte timeout to hls.js as a timeout", () => {
    const loader = new Loader(undefined as never);
    const cb = callbacks();
    loader.load({ url: 'http://h/p.m3u8', responseType: 'text' } as LoaderContext, config(), cb);
    worker.answer({ id: worker.last().id, status: 0, timedOut: true });
    expect(cb.onTimeout).toHaveBeenCalledTimes(1);
    expect(cb.onSuccess).not.toHaveBeenCalled();
    expect(cb.onError).not.toHaveBeenCalled();
  });
});
