// hls.js's loader, with the requests made by a dedicated worker (fetch-worker.ts).
//
// An LL-HLS player loads a part and a blocking playlist reload about three
// times a second for as long as the stream plays. With hls.js's own loaders
// each request's events (XMLHttpRequest's readystatechange and load, or
// fetch's promise callbacks) are tasks on the page's main thread, beside
// the chat, the overlays and the video's own work. Here the worker makes the
// request and reads the body; the page gets one message per response, its
// body transferred, not copied. Retries and timeouts stay hls.js's
// (BaseLoader, the config's load policies); the worker enforces the time to
// the first byte, this class the whole load's time, as hls.js's FetchLoader does.
import type { BaseLoader, HlsConfig, LoaderResponse, RetryConfig } from 'hls.js';

/** The page asks the worker. */
export type FetchRequest =
  | {
      type: 'load';
      id: number;
      url: string;
      /** 'arraybuffer' for parts and init segments, else text. */
      responseType: string;
      headers: Record<string, string>;
      /** Abort and answer `timedOut` when no response has begun by then. */
      firstByteMs: number;
    }
  | { type: 'abort'; id: number };

/** The worker answers once a request. */
export interface FetchReply {
  id: number;
  /** The HTTP status; 0 when there was no response (network error, CORS). */
  status: number;
  text: string;
  /** The response's URL after redirects. */
  url: string;
  /** Response headers, names in lower case. */
  headers: Record<string, string>;
  /** Epoch milliseconds (timeOrigin + now) of the response's headers and its body's end. */
  first: number;
  end: number;
  /** The body of a 2xx response. */
  data?: string | ArrayBuffer;
  timedOut?: boolean;
}

/** A worker's end of the exchange: requests go out, replies come back by id. */
export class FetchChannel {
  private readonly waiting = new Map<number, (reply: FetchReply) => void>();
  private nextId = 1;

  constructor(private readonly port: Pick<Worker, 'postMessage' | 'addEventListener'>) {
    port.addEventListener('message', (e: MessageEvent<FetchReply>) => {
      const done = this.waiting.get(e.data.id);
      this.waiting.delete(e.data.id);
      done?.(e.data);
    });
  }

  send(
    request: Omit<Extract<FetchRequest, { type: 'load' }>, 'type' | 'id'>,
    done: (r: FetchReply) => void,
  ): number {
    const id = this.nextId++;
    this.waiting.set(id, done);
    this.port.postMessage({ type: 'load', id, ...request } satisfies FetchRequest);
    return id;
  }

  cancel(id: number): void {
    if (this.waiting.delete(id)) this.port.postMessage({ type: 'abort', id } satisfies FetchRequest);
  }
}

/**
 * hls.js's rule for retrying a failed request (utils/error-helper.ts, not
 * exported): within the policy's count, a status that is not 4xx, or 0 while
 * the browser is offline, unless the policy's own hook says otherwise.
 */
export function shouldRetry(
  config: RetryConfig | null | undefined,
  count: number,
  response: LoaderResponse,
): boolean {
  if (!config) return false;
  const code = response.code;
  const offline = code === 0 && typeof navigator !== 'undefined' && navigator.onLine === false;
  const retry = count < config.maxNumRetry && (offline || (!!code && (code < 400 || code > 499)));
  return config.shouldRetry ? config.shouldRetry(config, count, false, response, retry) : retry;
}

/** Epoch milliseconds on the page's performance.now() scale. */
const fromEpoch = (t: number) => t - performance.timeOrigin;

/**
 * A loader class for hls.js's `loader` option, on `channel`'s worker. Built
 * from hls.js's BaseLoader, which the page imports on demand with hls.js.
 */
export function workerLoader(
  Base: typeof BaseLoader,
  channel: FetchChannel,
): new (config: HlsConfig) => BaseLoader {
  return class WorkerLoader extends Base {
    private requestId = 0;
    private reply: FetchReply | null = null;

    protected loadInternal(): void {
      const { config, context, stats } = this;
      if (!config || !context) return;
      stats.loading.first = 0;
      stats.loaded = 0;
      stats.aborted = false;
      const headers = { ...context.headers };
      if (context.rangeEnd) headers.Range = `bytes=${context.rangeStart ?? 0}-${context.rangeEnd - 1}`;
      const { maxTimeToFirstByteMs, maxLoadTimeMs } = config.loadPolicy;
      self.clearTimeout(this.requestTimeout);
      this.requestTimeout = self.setTimeout(() => this.loadtimeout(), maxLoadTimeMs);
      this.requestId = channel.send(
        {
          url: context.url,
          responseType: context.responseType,
          headers,
          firstByteMs: Number.isFinite(maxTimeToFirstByteMs) ? maxTimeToFirstByteMs : maxLoadTimeMs,
        },
        (reply) => this.settle(reply),
      );
    }

    private settle(reply: FetchReply): void {
      const { config, context, stats, callbacks } = this;
      if (!config || !context || !callbacks || stats.aborted) return;
      self.clearTimeout(this.requestTimeout);
      this.requestId = 0;
      this.reply = reply;
      if (reply.timedOut) {
        this.loadtimeout();
        return;
      }
      const response: LoaderResponse = { url: reply.url || context.url, code: reply.status };
      if (reply.data === undefined) {
        const retry = config.loadPolicy.errorRetry;
        if (shouldRetry(retry, stats.retry, response)) this.retry(retry as RetryConfig);
        else callbacks.onError({ code: reply.status, text: reply.text }, context, null, stats);
        return;
      }
      stats.loading.first = Math.max(fromEpoch(reply.first), stats.loading.start);
      stats.loading.end = Math.max(fromEpoch(reply.end), stats.loading.first);
      stats.loaded = stats.total = typeof reply.data === 'string' ? reply.data.length : reply.data.byteLength;
      response.data = reply.data;
      // As hls.js's FetchLoader: a loader that does not stream (no highWaterMark) reports all at once.
      if (!Number.isFinite(config.highWaterMark)) callbacks.onProgress?.(stats, context, reply.data, null);
      callbacks.onSuccess(response, stats, context, null);
    }

    protected abortInternal(): void {
      self.clearTimeout(this.retryTimeout);
      self.clearTimeout(this.requestTimeout);
      if (this.requestId && this.stats && !this.stats.loading.end) {
        this.stats.aborted = true;
        channel.cancel(this.requestId);
        this.requestId = 0;
      }
    }

    protected getNetworkDetails(): null {
      return null;
    }

    protected resetInternalLoader(): void {
      this.reply = null;
    }

    getCacheAge(): number | null {
      const age = this.reply?.headers.age;
      return age ? parseFloat(age) : null;
    }

    getResponseHeader(name: string): string | null {
      return this.reply?.headers[name.toLowerCase()] ?? null;
    }
  };
}

const channels = new Map<string, { channel: FetchChannel; loader?: new (config: HlsConfig) => BaseLoader }>();

/**
 * The channel to the worker at `url`, started on first use: one worker for all the page's players.
 * A player asks for it before it imports hls.js, so the worker starts while hls.js downloads.
 */
export function fetchChannel(url: string): FetchChannel {
  return workerEntry(url).channel;
}

function workerEntry(url: string) {
  let entry = channels.get(url);
  if (!entry) {
    entry = { channel: new FetchChannel(new Worker(url, { name: 'livecart-hls-fetch' })) };
    channels.set(url, entry);
  }
  return entry;
}

/** hls.js's `loader` on the worker at `url` (one class a worker). */
export function sharedWorkerLoader(
  url: string,
  Base: typeof BaseLoader,
): new (config: HlsConfig) => BaseLoader {
  const entry = workerEntry(url);
  entry.loader ??= workerLoader(Base, entry.channel);
  return entry.loader;
}
