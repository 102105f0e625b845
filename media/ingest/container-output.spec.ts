import * as net from 'node:net';
import { ContainerOutput } from './container-output';
import { FlvReader, FLV_AUDIO, FLV_VIDEO, type FlvTag } from './flv';

const video = (dts: number, key: boolean): FlvTag => ({
  type: FLV_VIDEO,
  dts,
  body: Buffer.from([key ? 0x17 : 0x27, 1, 0, 0, 0]),
});
const audio = (dts: number): FlvTag => ({ type: FLV_AUDIO, dts, body: Buffer.from([0xaf, 1, 0]) });
const config = (type: number, dts: number): FlvTag => ({
  type,
  dts,
  body: Buffer.from([0xaf, 0, 0x12, 0x10]),
});

/** What a transcoder listening on a socket receives from an output started on `gop`, after `later` is written to it. */
async function received(gop: FlvTag[], later: FlvTag[]): Promise<[string, number][]> {
  const tags: FlvTag[] = [];
  const reader = new FlvReader();
  const server = net.createServer((s) => s.on('data', (d: Buffer) => tags.push(...reader.push(d))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  const out = new ContainerOutput(
    { host: '127.0.0.1', port },
    { codec: 'h264', width: 640, height: 360, profileLevelId: '64001e' },
    { codec: 'aac', codecs: 'mp4a.40.2' },
    () => ({ configs: [config(FLV_AUDIO, 0)], gop }),
    () => undefined,
  );
  try {
    await out.start();
    for (const t of later) out.write(t, false);
    const all = 1 + gop.length + later.length;
    for (const t0 = Date.now(); tags.length < all && Date.now() - t0 < 2000;)
      await new Promise((r) => setTimeout(r, 20));
    return tags.map((t) => [t.type === FLV_VIDEO ? 'v' : 'a', t.dts]);
  } finally {
    out.end('closed');
    server.close();
  }
}

describe('ContainerOutput: what a transcoder reading an ingest receives', () => {
  it('starts at the keyframe for every track: audio timed before it is not sent, configs are', async () => {
    // MPEG-TS (SRT) carries audio in PES of several frames, written after the video of their time:
    // after the keyframe at 1,000 ms come audio frames from 980 ms on.
    const gop = [video(1000, true), audio(980), audio(1001), video(1033, false)];
    expect(await received(gop, [audio(995), audio(1022), video(1067, false)])).toEqual([
      ['a', 0],
      ['v', 1000],
      ['a', 1001],
      ['v', 1033],
      ['a', 1022],
      ['v', 1067],
    ]);
  });
});
