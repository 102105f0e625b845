import * as dgram from 'node:dgram';
import { VideoRtpTap } from './rtp-tap';

/** An RTP packet (PT 96) carrying `payload`. */
const rtp = (seq: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([0x80, 0x60, seq >> 8, seq & 0xff, 0, 0, 0, seq, 0, 0, 0, 1]), payload]);
/** The first packet of a VP8 key frame of `w`x`h`, and an inter-frame packet. */
const vp8Key = (w: number, h: number) => {
  const b = Buffer.from('10' + '9077019d012a' + '00000000', 'hex');
  b.writeUInt16LE(w, 7);
  b.writeUInt16LE(h, 9);
  return b;
};
const vp8Inter = Buffer.from('10' + '9177010203', 'hex');

async function socket(): Promise<{ sock: dgram.Socket; port: number; got: Buffer[] }> {
  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (m: Buffer) => got.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { sock, port: sock.address().port, got };
}

async function freePair(): Promise<{ rtp: number; rtcp: number }> {
  for (;;) {
    const s = await socket();
    const rtpPort = s.port - (s.port % 2);
    s.sock.close();
    try {
      const probe = await VideoRtpTap.open('127.0.0.1', { rtp: rtpPort, rtcp: rtpPort + 1 }, 'vp8');
      probe.close();
      return { rtp: rtpPort, rtcp: rtpPort + 1 };
    } catch {
      // taken: try another
    }
  }
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('VideoRtpTap', () => {
  it('reads keyframe sizes, keeps the packets from the last keyframe, and hands them over first', async () => {
    const ports = await freePair();
    const tap = await VideoRtpTap.open('127.0.0.1', ports, 'vp8');
    const sender = await socket();
    const ffmpeg = await socket();
    const rtcpSink = await socket();
    const send = (pkt: Buffer) =>
      new Promise<void>((r) => sender.sock.send(pkt, ports.rtp, '127.0.0.1', () => r()));
    try {
      const first = tap.firstKeyframe(2000);
      await send(rtp(1, vp8Inter)); // before any keyframe: dropped
      await send(rtp(2, vp8Key(640, 480)));
      await send(rtp(3, vp8Inter));
      expect(await first).toEqual({ width: 640, height: 480, codec: 'vp8' });
      await send(rtp(4, vp8Key(640, 480))); // a newer keyframe: the kept packets start here
      await send(rtp(5, vp8Inter));
      await new Promise((r) => setTimeout(r, 50));
      const at = tap.forward({ host: '127.0.0.1', rtp: ffmpeg.port, rtcp: rtcpSink.port });
      expect(at).toBeGreaterThan(Date.now() - 5000);
      await send(rtp(6, vp8Inter));
      await until(() => ffmpeg.got.length >= 3);
      expect(ffmpeg.got.map((p) => p[7])).toEqual([4, 5, 6]);

      const seen: [number, boolean][] = [];
      tap.onKeyframe((s, changed) => seen.push([s.width, changed]));
      await send(rtp(7, vp8Key(480, 360)));
      await send(rtp(8, vp8Key(480, 360)));
      await until(() => seen.length >= 2);
      expect(seen).toEqual([
        [480, true],
        [480, false],
      ]);
      expect(tap.size).toMatchObject({ width: 480, height: 360 });
      // Held: nothing goes to ffmpeg until it is forwarded again.
      tap.hold();
      const before = ffmpeg.got.length;
      await send(rtp(9, vp8Inter));
      await new Promise((r) => setTimeout(r, 50));
      expect(ffmpeg.got.length).toBe(before);
    } finally {
      tap.close();
      for (const s of [sender, ffmpeg, rtcpSink]) s.sock.close();
    }
  });

  it('gives up waiting for a keyframe after the timeout', async () => {
    const tap = await VideoRtpTap.open('127.0.0.1', await freePair(), 'h264');
    try {
      await expect(tap.firstKeyframe(50)).rejects.toThrow(/no h264 keyframe/);
    } finally {
      tap.close();
    }
  });
});
