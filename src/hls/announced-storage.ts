import type { OnApplicationShutdown } from '@nestjs/common';
import type { HlsStorage } from '../../media';
import type { PubSub, Unsubscribe } from '../infra/pubsub';
import { heldFor } from './blocking-reads';
import { HLS_WRITES_CHANNEL, type HlsWrite, type WriteFollower } from './hls.constants';

/**
 * The HLS store, announcing each playlist and part it writes on
 * HLS_WRITES_CHANNEL, so every replica answers the requests held for it at
 * once. Segments, init segments, posters and the transcode state are not
 * waited for, and not announced.
 */
export class AnnouncedHlsStorage implements HlsStorage {
  readonly localPath?: (key: string) => string;

  constructor(
    private readonly store: HlsStorage,
    private readonly pubsub: PubSub,
  ) {
    if (store.localPath) this.localPath = (key) => store.localPath!(key);
  }

  async write(key: string, data: Buffer | string): Promise<void> {
    await this.store.write(key, data);
    if (heldFor(key)) {
      // An announcement lost is a poll's delay (BlockingReads reads every 50 ms anyway), not an error.
      await this.pubsub.publish(HLS_WRITES_CHANNEL, { key } satisfies HlsWrite).catch(() => undefined);
    }
  }

  read(key: string): Promise<Buffer | undefined> {
    return this.store.read(key);
  }

  listStreams(): Promise<{ streamId: string; modifiedAt: Date }[]> {
    return this.store.listStreams();
  }

  removeStream(streamId: string): Promise<void> {
    return this.store.removeStream(streamId);
  }
}

/**
 * The app's one subscription to HLS_WRITES_CHANNEL: each announced key goes
 * to the followers in their order (the kept playlist versions before the
 * held requests, so that the requests that come after a held one was
 * answered see what it saw, or newer).
 */
export class AnnouncedWrites implements OnApplicationShutdown {
  private constructor(private readonly unsubscribe: Unsubscribe) {}

  static async follow(pubsub: PubSub, followers: readonly WriteFollower[]): Promise<AnnouncedWrites> {
    const unsubscribe = await pubsub.subscribe(HLS_WRITES_CHANNEL, (m) => {
      for (const f of followers) f.written((m as HlsWrite).key);
    });
    return new AnnouncedWrites(unsubscribe);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.unsubscribe();
  }
}
