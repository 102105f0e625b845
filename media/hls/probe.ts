import * as dgram from 'node:dgram';
import { readFile } from 'node:fs/promises';
import * as net from 'node:net';
import { parseH264Sps } from '../codec/h264-sps';

/** The coded size of a video frame and its codec. */
export interface VideoSize {
  width: number;
  height: number;
  codec: string;
}

/** Width and height of an H.264 sequence parameter set (the NAL unit, header byte included). */
export function h264SpsSize(nal: Buffer): { width: number; height: number } {
  const { width, height } = parseH264Sps(nal);
  return { width, height };
}

/** The payload of an RTP packet (header, CSRCs, extension and padding removed), or undefined. */
export function rtpPayload(pkt: Buffer): { pt: number; payload: Buffer } | undefined {
  if (pkt.length < 12 || pkt[0] >> 6 !== 2) return undefined;
  const cc = pkt[0] & 0x0f;
  let off = 12 + cc * 4;
  if (pkt[0] & 0x10) {
    if (pkt.length < off + 4) return undefined;
    off += 4 + pkt.readUInt16BE(off + 2) * 4;
  }
  let end = pkt.length;
  if (pkt[0] & 0x20) end -= pkt[pkt.length - 1];
  if (off >= end) return undefined;
  return { pt: pkt[1] & 0x7f, payload: pkt.subarray(off, end) };
}

/**
 * The frame size a video RTP payload announces, if it starts a keyframe
 * (VP8: the key frame header; H.264: a sequence parameter set, alone, in a
 * STAP-A or at the start of an FU-A).
 */
export function keyframeSize(codec: string, payload: Buffer): { width: number; height: number } | undefined {
  try {
    if (codec === 'vp8') {
      // RFC 7741 payload descriptor, then the VP8 frame header.
      let i = 1;
      const start = (payload[0] & 0x10) !== 0 && (payload[0] & 0x07) === 0;
      if (payload[0] & 0x80) {
        const x = payload[i++];
        if (x & 0x80) i += payload[i] & 0x80 ? 2 : 1;
        if (x & 0x40) i++;
        if (x & 0x30) i++;
      }
      const f = payload.subarray(i);
      if (!start || f.length < 10 || (f[0] & 1) !== 0) return undefined;
      if (f[3] !== 0x9d || f[4] !== 0x01 || f[5] !== 0x2a) return undefined;
      return { width: f.readUInt16LE(6) & 0x3fff, height: f.readUInt16LE(8) & 0x3fff };
    }
    if (codec === 'h264') {
      const type = payload[0] & 0x1f;
      if (type === 7) return h264SpsSize(payload);
      if (type === 24) {
        for (let i = 1; i + 2 < payload.length;) {
          const n = payload.readUInt16BE(i);
          const nal = payload.subarray(i + 2, i + 2 + n);
          if (nal.length > 0 && (nal[0] & 0x1f) === 7) return h264SpsSize(nal);
          i += 2 + n;
        }
      }
      if (type === 28 && payload.length > 2 && payload[1] & 0x80 && (payload[1] & 0x1f) === 7) {
        return h264SpsSize(Buffer.concat([Buffer.from([(payload[0] & 0xe0) | 7]), payload.subarray(2)]));
      }
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Whether some process has a socket on local `port` in `/proc/net/<proto>{,6}`
 * that `accept` takes (given the line's columns: the local address is the
 * second, the TCP state the fourth), or undefined when /proc cannot tell (not Linux).
 */
async function procSocket(
  proto: 'udp' | 'tcp',
  port: number,
  accept: (cols: string[]) => boolean = () => true,
): Promise<boolean | undefined> {
  const suffix = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  let any = false;
  for (const f of [`/proc/net/${proto}`, `/proc/net/${proto}6`]) {
    const text = await readFile(f, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    any = true;
    for (const line of text.split('\n')) {
      const cols = line.trim().split(/\s+/);
      if (cols[1]?.endsWith(suffix) && accept(cols)) return true;
    }
  }
  return any ? false : undefined;
}

/** Polls `probe` until it is not false: true then, false after `timeoutMs`, true at once when it cannot tell. */
async function waitProc(probe: () => Promise<boolean | undefined>, timeoutMs: number): Promise<boolean> {
  const t0 = Date.now();
  for (;;) {
    const seen = await probe();
    if (seen !== false) return seen === true;
    if (Date.now() - t0 > timeoutMs) return false;
    await new Promise((r) => setTimeout(r, 15));
  }
}

/**
 * Resolves true once a process (ffmpeg) listens on UDP `port`, false after
 * `timeoutMs`, or at once when /proc cannot tell (not Linux).
 */
export function waitUdpBound(port: number, timeoutMs: number): Promise<boolean> {
  return waitProc(() => procSocket('udp', port), timeoutMs);
}

/** Resolves true once a process (ffmpeg) listens on TCP `port` (state 0A is LISTEN), false after `timeoutMs` (at once when /proc cannot tell). */
export function waitTcpListening(port: number, timeoutMs: number): Promise<boolean> {
  return waitProc(() => procSocket('tcp', port, (cols) => cols[3] === '0A'), timeoutMs);
}

/** The first of up to 200 random candidates that `free` accepts; throws `none` when none is. */
async function randomFree(
  pick: () => number,
  free: (candidate: number) => boolean | Promise<boolean>,
  none: string,
): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const candidate = pick();
    if (await free(candidate)) return candidate;
  }
  throw new Error(none);
}

/** Whether `port` is free on `host`: a socket takes it (TCP listens, UDP binds) and lets it go at once. */
function bindable(protocol: 'tcp' | 'udp', port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const taken = () => resolve(false);
    const free = () => resolve(true);
    if (protocol === 'tcp') {
      const srv = net.createServer().once('error', taken);
      srv.listen(port, host, () => srv.close(free));
    } else {
      const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4').once('error', taken);
      sock.bind(port, host, () => sock.close(free));
    }
  });
}

/**
 * A TCP port free on `host` in `range` (not one of `taken`), for ffmpeg to
 * listen on. Released again for ffmpeg to take, with the race allocateRtpPair has.
 */
export async function allocateTcpPort(
  host: string,
  range: { min: number; max: number },
  taken: Set<number> = new Set(),
): Promise<number> {
  const port = await randomFree(
    () => range.min + Math.floor(Math.random() * (range.max - range.min + 1)),
    (p) => !taken.has(p) && bindable('tcp', p, host),
    `no free TCP port in ${range.min}-${range.max} on ${host}`,
  );
  taken.add(port);
  return port;
}

/**
 * An even RTP port with its RTCP port (+1) free on `host`: ffmpeg binds RTCP
 * next to RTP. The ports are released again for ffmpeg to take, so another
 * process could race for them; a failed bind fails the run and the job retries.
 */
export async function allocateRtpPair(
  host: string,
  range: { min: number; max: number },
  taken: Set<number> = new Set(),
): Promise<{ rtp: number; rtcp: number }> {
  const rtp = await randomFree(
    () => range.min + 2 * Math.floor(Math.random() * Math.floor((range.max - range.min) / 2)),
    async (p) =>
      !taken.has(p) && !taken.has(p + 1) && (await bindable('udp', p, host)) && bindable('udp', p + 1, host),
    `no free RTP port pair in ${range.min}-${range.max} on ${host}`,
  );
  taken.add(rtp).add(rtp + 1);
  return { rtp, rtcp: rtp + 1 };
}
