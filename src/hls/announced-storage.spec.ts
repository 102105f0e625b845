import { MemoryStorage } from '../../media/hls/fixtures';
import { LocalPubSub } from '../infra/pubsub';
import { AnnouncedHlsStorage, AnnouncedWrites } from './announced-storage';

/** A store announcing on an in-process pub/sub, and what two followers of it were told, in order. */
async function announcing() {
  const pubsub = new LocalPubSub();
  const storage = new AnnouncedHlsStorage(new MemoryStorage(), pubsub);
  const told: string[] = [];
  const writes = await AnnouncedWrites.follow(pubsub, [
    { written: (key) => told.push(`first ${key}`) },
    { written: (key) => told.push(`second ${key}`) },
  ]);
  // Announcements come on the next turn of the event loop, as Redis's do.
  const delivered = () => new Promise((r) => setImmediate(r));
  return { storage, told, writes, delivered };
}

describe('announced HLS writes', () => {
  it('announces playlists and parts, not segments, init segments, posters or the transcode state', async () => {
    const { storage, told, writes, delivered } = await announcing();
    for (const key of [
      's/master.m3u8',
      's/720p/index.m3u8',
      's/720p/r1/p12.m4s',
      's/720p/s3.m4s',
      's/720p/r1/init.mp4',
      's/poster.jpg',
      's/state.json',
      's/state/720p.0.json',
    ])
      await storage.write(key, 'x');
    await delivered();
    expect(told.filter((t) => t.startsWith('first '))).toEqual([
      'first s/master.m3u8',
      'first s/720p/index.m3u8',
      'first s/720p/r1/p12.m4s',
    ]);
    await writes.onApplicationShutdown();
  });

  it('tells each follower of every write, in their order, until shut down', async () => {
    const { storage, told, writes, delivered } = await announcing();
    await storage.write('s/720p/index.m3u8', 'v1');
    await delivered();
    expect(told).toEqual(['first s/720p/index.m3u8', 'second s/720p/index.m3u8']);
    await writes.onApplicationShutdown();
    await storage.write('s/720p/index.m3u8', 'v2');
    await delivered();
    expect(told).toHaveLength(2);
  });
});
