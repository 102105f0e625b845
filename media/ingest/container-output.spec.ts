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

describe('ContainerOutput: what a transcoder reading an ingest receives', () => {
  it('starts at the keyframe for every track: audio timed before it is not sent, configs are', async () => {
    const received: FlvTag[] = [];
    const reader = new FlvReader();
    const server = net.createServer((s) => s.on('data', (d: Buffer) => received.push(...reader.push(d))));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as net.AddressInfo;
    // MPEG-TS (SRT) carries audio in PES of several frames, written after the video of their time:
    // after the keyframe at 1,000 ms come audio frames from 980 ms on.
    const gop = [video(1000, true), audio(980), audio(1001), video(1033, false)];
    const out = new ContainerOutput(
      { host: '127.0.0.1', port },
      { codec: 'h264', width: 640, height: 360, profileLevelId: '64001e' },
      { codec: 'aac', codecs: 'mp4a.40.2' },
      () => ({ configs: [config(FLV_AUDIO, 0)], gop }),
      () => undefined,
    );
    try {
      await out.start();
      out.write(audio(995), false);
      out.write(audio(1022), false);
      out.write(video(1067, false), false);
      await new Promise((r) => setTimeout(r, 200));
      expect(received.map((t) => [t.type === FLV_VIDEO ? 'v' : 'a', t.dts])).toEqual([
        ['a', 0],
        ['v', 1000],
        ['a', 1001],
        ['v', 1033],
        ['a', 1022],
        ['v', 1067],
      ]);
    } finally {
      out.end('closed');
      server.close();
    }
  });
});
