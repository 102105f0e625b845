import type { OnApplicationShutdown } from '@nestjs/common';
import type { HlsStorage } from '../../media';
import { RateLimitedError } from '../common/errors/domain-errors';
import type { WriteFollower } from './hls.constants';

/** How often a held request's file is read again (when no announcement of its write comes first). */
const POLL_MS = 50;

/**
 * The files a request may be held for: playlists and parts. The HLS store
 * announces the writes of these (AnnouncedHlsStorage), and only these.
 */
export const heldFor = (key: string): boolean => /(?:\/index\.m3u8|\/master\.m3u8|\/p\d+\.m4s)$/.test(key);

interface Poll {
  waiters: Set<Waiter>;
  timer?: NodeJS.Timeout;
  /** A read is in flight; `again`: read once more as soon as it is done (a write came meanwhile). */
  reading?: boolean;
  again?: boolean;
}

interface Waiter {
  /** Whether the data read satisfies this request (any data, or a playlist far enough). */
  ready: (data: Buffer) => boolean;
  resolve: (data: Buffer | undefined) => void;
  timer: NodeJS.Timeout;
}

/**
 * LL-HLS requests that wait for something that does not exist yet (a
 * blocking playlist reload, a preload-hinted part), with two bounds:
 *
 *  - each client address holds at most `maxPerClient` of them at once; more
 *    are answered 429 with Retry-After at once (hundreds of held requests
 *    from one client slowed every other request of the process);
 *  - one read of a file per poll serves every request waiting for it, however
 *    many viewers wait for the same part;
 *  - a file is read again as soon as its write is announced (HLS_WRITES_CHANNEL,
 *    see AnnouncedWrites), else every POLL_MS: a part reaches its waiting viewers when
 *    it is written, not up to a poll later.
 */
export class BlockingReads implements OnApplicationShutdown, WriteFollower {
  private readonly held = new Map<string, number>();
  private readonly polls = new Map<string, Poll>();

  constructor(
    private readonly storage: HlsStorage,
    private readonly maxPerClient: number,
  ) {}

  /**
   * Waits up to `ms` for `key` to hold data that `ready` accepts; resolves
   * with it, or with undefined at the deadline. Throws RateLimitedError when
   * the client holds its maximum already.
   */
  async wait(
    client: string,
    key: string,
    ms: number,
    ready: (data: Buffer) => boolean = () => true,
  ): Promise<Buffer | undefined> {
    // A file whose writes are not announced would keep its requests until the next poll.
    if (!heldFor(key)) throw new Error(`requests are not held for ${key} (its writes are not announced)`);
    const n = this.held.get(client) ?? 0;
    if (this.maxPerClient > 0 && n >= this.maxPerClient) {
      throw new RateLimitedError(
        `At most ${this.maxPerClient} blocking LL-HLS requests per client at once; retry shortly`,
        1,
      );
    }
    this.held.set(client, n + 1);
    try {
      return await new Promise<Buffer | undefined>((resolve) => {
        const waiter: Waiter = {
          ready,
          resolve,
          timer: setTimeout(() => {
            this.remove(key, waiter);
            resolve(undefined);
          }, ms),
        };
        this.add(key, waiter);
      });
    } finally {
      const left = (this.held.get(client) ?? 1) - 1;
      if (left > 0) this.held.set(client, left);
      else this.held.delete(client);
    }
  }

  /** `key` was just written: its waiters get it now. */
  written(key: string): void {
    if (this.polls.has(key)) void this.tick(key);
  }

  /** Requests a client holds now (for tests). */
  heldBy(client: string): number {
    return this.held.get(client) ?? 0;
  }

  private add(key: string, waiter: Waiter): void {
    let poll = this.polls.get(key);
    if (!poll) {
      poll = { waiters: new Set(), timer: setTimeout(() => void this.tick(key), POLL_MS) };
      this.polls.set(key, poll);
    }
    poll.waiters.add(waiter);
  }

  private remove(key: string, waiter: Waiter): void {
    const poll = this.polls.get(key);
    if (!poll) return;
    poll.waiters.delete(waiter);
    if (poll.waiters.size === 0) {
      clearTimeout(poll.timer);
      this.polls.delete(key);
    }
  }

  private async tick(key: string): Promise<void> {
    const poll = this.polls.get(key);
    if (!poll) return;
    if (poll.reading) {
      poll.again = true;
      return;
    }
    poll.reading = true;
    clearTimeout(poll.timer);
    const data = await this.storage.read(key).catch(() => undefined);
    poll.reading = false;
    if (data) {
      for (const w of [...poll.waiters]) {
        if (!w.ready(data)) continue;
        clearTimeout(w.timer);
        this.remove(key, w);
        w.resolve(data);
      }
    }
    if (this.polls.get(key) !== poll || poll.waiters.size === 0) return;
    if (poll.again) {
      poll.again = false;
      void this.tick(key);
    } else {
      poll.timer = setTimeout(() => void this.tick(key), POLL_MS);
    }
  }

  onApplicationShutdown(): void {
    this.close();
  }

  close(): void {
    for (const [key, poll] of this.polls) {
      clearTimeout(poll.timer);
      for (const w of poll.waiters) {
        clearTimeout(w.timer);
        w.resolve(undefined);
      }
      this.polls.delete(key);
    }
  }
}
