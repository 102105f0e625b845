import * as dgram from 'node:dgram';
import * as net from 'node:net';
import { allocateRtpPair, allocateTcpPort, h264SpsSize, keyframeSize, rtpPayload } from './probe';

/** SPS units as x264 writes them (`ffmpeg -f lavfi -i testsrc=size=WxH -c:v libx264 -profile:v P -f h264`). */
const SPS = {
  high1080: '67640028acd940780227e5c044000003000400000300f03c60c658',
  high360: '6764001eacd940a02ff970110000030001000003003c0f162d96',
  baseline360: '6742c01ed900a02ff970110000030001000003003c0f162e48',
  main720: '674d401feca02802dd8088000003000800000301e078c18cb0',
};
/** The start of a VP8 key frame of 1280x720 (libvpx), after a one-byte payload descriptor with S=1. */
const VP8_KEY = '10' + '9077019d012a0005d002' + '0000';

const rtp = (payload: Buffer, ext = false) => {
  const head = Buffer.from('806000010000000100000002', 'hex');
  if (!ext) return Buffer.concat([head, payload]);
  head[0] |= 0x10;
  return Buffer.concat([head, Buffer.from('bede0001', 'hex'), Buffer.from('10ff0000', 'hex'), payload]);
};

describe('first-keyframe size from RTP', () => {
  it('reads width and height from H.264 SPS, with frame cropping (1080 = 68 macroblocks cropped)', () => {
    expect(h264SpsSize(Buffer.from(SPS.high1080, 'hex'))).toEqual({ width: 1920, height: 1080 });
    expect(h264SpsSize(Buffer.from(SPS.high360, 'hex'))).toEqual({ width: 640, height: 360 });
    expect(h264SpsSize(Buffer.from(SPS.baseline360, 'hex'))).toEqual({ width: 640, height: 360 });
    expect(h264SpsSize(Buffer.from(SPS.main720, 'hex'))).toEqual({ width: 1280, height: 720 });
  });

  it('finds the SPS alone, inside a STAP-A, and at the start of an FU-A', () => {
    const sps = Buffer.from(SPS.main720, 'hex');
    const pps = Buffer.from('68ebe3cb22c0', 'hex');
    expect(keyframeSize('h264', sps)).toEqual({ width: 1280, height: 720 });
    const stap = Buffer.concat([
      Buffer.from([0x78]),
      Buffer.from([0, sps.length]),
      sps,
      Buffer.from([0, pps.length]),
      pps,
    ]);
    expect(keyframeSize('h264', stap)).toEqual({ width: 1280, height: 720 });
    const fuA = Buffer.concat([Buffer.from([0x7c, 0x87]), sps.subarray(1)]);
    expect(keyframeSize('h264', fuA)).toEqual({ width: 1280, height: 720 });
    // A PPS or a slice says nothing about the size.
    expect(keyframeSize('h264', pps)).toBeUndefined();
    expect(keyframeSize('h264', Buffer.from('65888400', 'hex'))).toBeUndefined();
  });

  it('reads a VP8 key frame header, and ignores inter frames and continuation packets', () => {
    expect(keyframeSize('vp8', Buffer.from(VP8_KEY, 'hex'))).toEqual({ width: 1280, height: 720 });
    // Extended descriptor with a 15-bit picture id, TL0PICIDX and TID/KEYIDX.
    const ext = Buffer.from('90e0' + '8123' + '05' + '20' + '9077019d012a0005d002', 'hex');
    expect(keyframeSize('vp8', ext)).toEqual({ width: 1280, height: 720 });
    const inter = Buffer.from('10' + '9177019d012a0005d002', 'hex');
    expect(keyframeSize('vp8', inter)).toBeUndefined();
    const notStart = Buffer.from('00' + '9077019d012a0005d002', 'hex');
    expect(keyframeSize('vp8', notStart)).toBeUndefined();
    expect(keyframeSize('vp8', Buffer.from('10', 'hex'))).toBeUndefined();
  });

  it('strips the RTP header and its extension', () => {
    const payload = Buffer.from(SPS.main720, 'hex');
    expect(rtpPayload(rtp(payload))).toEqual({ pt: 0x60, payload });
    expect(rtpPayload(rtp(payload, true))).toEqual({ pt: 0x60, payload });
    expect(rtpPayload(Buffer.from('00', 'hex'))).toBeUndefined();
  });
});

describe('ports for ffmpeg', () => {
  const host = '127.0.0.1';

  it('hands out free ports of the range once each: an even RTP port with RTCP next to it, a TCP port', async () => {
    const range = { min: 30000, max: 39999 };
    const taken = new Set<number>();
    const pair = await allocateRtpPair(host, range, taken);
    const tcp = await allocateTcpPort(host, range, taken);
    expect(pair.rtcp).toBe(pair.rtp + 1);
    expect((pair.rtp - range.min) % 2).toBe(0);
    for (const port of [pair.rtp, pair.rtcp, tcp]) {
      expect(port).toBeGreaterThanOrEqual(range.min);
      expect(port).toBeLessThanOrEqual(range.max);
    }
    expect(taken).toEqual(new Set([pair.rtp, pair.rtcp, tcp]));
  });

  it('passes over a TCP port another process listens on', async () => {
    const srv = net.createServer();
    await new Promise<void>((resolve) => srv.listen(0, host, resolve));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      await expect(allocateTcpPort(host, { min: port, max: port })).rejects.toThrow(/no free TCP port/);
    } finally {
      srv.close();
    }
  });

  it('passes over a UDP port another process has bound', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => sock.bind(0, host, resolve));
    const port = sock.address().port;
    try {
      // The range's only even candidate is the bound port.
      await expect(allocateRtpPair(host, { min: port, max: port + 2 })).rejects.toThrow(
        /no free RTP port pair/,
      );
    } finally {
      sock.close();
    }
  });
});
