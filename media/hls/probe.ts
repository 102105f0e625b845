import { spawn } from 'node:child_process';
import * as dgram from 'node:dgram';

/** Width, height and codec of the first video stream ffprobe finds in an SDP. */
export async function probeSdp(
  sdpPath: string,
  opts: { ffprobePath?: string; timeoutMs?: number; onListening?: () => void } = {},
): Promise<{ width: number; height: number; codec: string }> {
  const args = [
    '-v',
    'error',
    '-protocol_whitelist',
    'file,udp,rtp',
    '-analyzeduration',
    '500000',
    '-probesize',
    '500000',
    '-select_streams',
    'v:0',
    '-show_entries',
    'stream=width,height,codec_name',
    '-of',
    'json',
    '-i',
    sdpPath,
  ];
  const child = spawn(opts.ffprobePath ?? 'ffprobe', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  // ffprobe binds its ports within a few ms of starting; the caller then lets RTP flow.
  const listening = setTimeout(() => opts.onListening?.(), 200);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 15_000);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  clearTimeout(listening);
  const s = (
    JSON.parse(out || '{}') as { streams?: { width?: number; height?: number; codec_name?: string }[] }
  ).streams?.[0];
  if (code !== 0 || !s?.width || !s.height) {
    throw new Error(`ffprobe found no video in the RTP stream (exit ${code}): ${err.trim().slice(-300)}`);
  }
  return { width: s.width, height: s.height, codec: s.codec_name ?? 'unknown' };
}

function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    sock.once('error', () => resolve(false));
    sock.bind(port, host, () => sock.close(() => resolve(true)));
  });
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
  for (let i = 0; i < 200; i++) {
    const rtp = range.min + 2 * Math.floor(Math.random() * Math.floor((range.max - range.min) / 2));
    if (taken.has(rtp) || taken.has(rtp + 1)) continue;
    if ((await bindable(rtp, host)) && (await bindable(rtp + 1, host))) {
      taken.add(rtp).add(rtp + 1);
      return { rtp, rtcp: rtp + 1 };
    }
  }
  throw new Error(`no free RTP port pair in ${range.min}-${range.max} on ${host}`);
}
