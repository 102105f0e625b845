import { MediaBusyError, TooManyPendingError } from './errors';

/** How many answered-but-unconnected sessions may exist at once. */
export interface PendingLimits {
  /** Per stream, over all clients (0 = no limit). */
  perStream: number;
  /** Per client (its address), over all streams (0 = no limit). */
  perClient: number;
  /** Seconds an unconnected session lives: what a refused client is told to wait. */
  retryAfterSeconds: number;
}

/**
 * Sessions that were answered but have not connected yet. Each costs the SFU
 * a transport (and its ICE and DTLS state) until it connects or its connect
 * timeout closes it, so a flood of offers nobody means to answer is bounded
 * per client address and per stream. A connected session no longer counts.
 */
export class PendingSessions {
  private readonly perStream = new Map<string, number>();
  private readonly perClient = new Map<string, number>();

  constructor(private readonly limits: PendingLimits) {}

  /**
   * Counts a new session, or throws TooManyPendingError (429: this client has
   * too many) or MediaBusyError (503: the stream has too many). Returns its
   * release, which may be called any number of times.
   */
  acquire(streamId: string, client: string): () => void {
    const { perStream, perClient, retryAfterSeconds } = this.limits;
    const byClient = this.perClient.get(client) ?? 0;
    if (perClient > 0 && byClient >= perClient) {
      throw new TooManyPendingError(perClient, retryAfterSeconds);
    }
    const byStream = this.perStream.get(streamId) ?? 0;
    if (perStream > 0 && byStream >= perStream) {
      throw new MediaBusyError(
        `Stream ${streamId} has ${byStream} viewers connecting; try again in ${retryAfterSeconds} s`,
        retryAfterSeconds,
      );
    }
    this.perClient.set(client, byClient + 1);
    this.perStream.set(streamId, byStream + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      decrement(this.perClient, client);
      decrement(this.perStream, streamId);
    };
  }

  /** Unconnected sessions of a client (for tests and metrics). */
  ofClient(client: string): number {
    return this.perClient.get(client) ?? 0;
  }

  /** Unconnected sessions of a stream. */
  ofStream(streamId: string): number {
    return this.perStream.get(streamId) ?? 0;
  }
}

function decrement(map: Map<string, number>, key: string): void {
  const n = (map.get(key) ?? 1) - 1;
  if (n > 0) map.set(key, n);
  else map.delete(key);
}
