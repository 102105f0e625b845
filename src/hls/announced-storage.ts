import type { HlsStorage } from '../../media';
import type { PubSub } from '../infra/pubsub';
import { HLS_WRITES_CHANNEL, type HlsWrite } from './hls.constants';

/** What requests are held for (BlockingReads): playlists and parts. */
const WAITED_FOR = /(?:\/index\.m3u8|\/master\.m3u8|\/p\d+\.m4s)$/;

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
    if (WAITED_FOR.test(key)) {
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
