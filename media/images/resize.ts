import { spawn } from 'node:child_process';

/**
 * Product images: a picture a merchant uploads becomes JPEGs of bounded
 * size, made by ffmpeg (the machine has it for HLS). In two halves like the
 * HLS command: `resizeArgs` builds the argument list (tested as data), and
 * `resizeImage` runs it on a buffer.
 *
 * The input is never probed: ffmpeg reads it as a single picture with the
 * decoder of its declared type, over a pipe only (no file or network
 * protocol can be named inside it), with a pixel limit against
 * decompression bombs.
 */
export const IMAGE_DECODERS = {
  'image/jpeg': 'mjpeg',
  'image/png': 'png',
  'image/webp': 'webp',
} as const;
export type ImageType = keyof typeof IMAGE_DECODERS;

export const IMAGE_TYPES = Object.keys(IMAGE_DECODERS) as ImageType[];

/** Largest picture ffmpeg decodes (width × height): 40 megapixels. */
export const MAX_SOURCE_PIXELS = 40_000_000;

export function isImageType(t: string): t is ImageType {
  return Object.prototype.hasOwnProperty.call(IMAGE_DECODERS, t);
}

/** ffmpeg arguments: one picture of `type` on stdin → one JPEG on stdout, no side longer than `maxSide`. */
export function resizeArgs(type: ImageType, maxSide: number, quality = 3): string[] {
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-protocol_whitelist',
    'pipe',
    '-max_pixels',
    String(MAX_SOURCE_PIXELS),
    '-f',
    'image2pipe',
    '-c:v',
    IMAGE_DECODERS[type],
    '-i',
    'pipe:0',
    '-vf',
    `scale=w='min(${maxSide},iw)':h='min(${maxSide},ih)':force_original_aspect_ratio=decrease,format=yuvj420p`,
    '-frames:v',
    '1',
    '-f',
    'image2',
    '-c:v',
    'mjpeg',
    '-q:v',
    String(quality),
    'pipe:1',
  ];
}

export class ImageDecodeError extends Error {}

/** Width and height of a baseline or progressive JPEG, from its SOF marker. */
export function jpegSize(buf: Buffer): { width: number; height: number } | undefined {
  if (buf.length < 4 || buf[0] !== 0xff || buf[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < buf.length) {
    if (buf[i] !== 0xff) return undefined;
    const marker = buf[i + 1];
    const len = buf.readUInt16BE(i + 2);
    // SOF0..SOF15, except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      return { height: buf.readUInt16BE(i + 5), width: buf.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return undefined;
}

/**
 * Resizes one picture. Rejects with ImageDecodeError when ffmpeg cannot read
 * it as its declared type (or it is too large), and kills ffmpeg after
 * `timeoutMs`.
 */
export function resizeImage(
  data: Buffer,
  type: ImageType,
  maxSide: number,
  opts: { ffmpegPath?: string; timeoutMs?: number } = {},
): Promise<{ jpeg: Buffer; width: number; height: number }> {
  return new Promise((resolve, reject) => {
    const p = spawn(opts.ffmpegPath ?? 'ffmpeg', resizeArgs(type, maxSide), {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 20_000);
    p.stdout.on('data', (b: Buffer) => out.push(b));
    p.stderr.on('data', (b: Buffer) => {
      if (err.length < 2000) err += b.toString();
    });
    p.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    p.on('close', (code) => {
      clearTimeout(timer);
      const jpeg = Buffer.concat(out);
      const size = jpegSize(jpeg);
      if (code !== 0 || !size) {
        reject(new ImageDecodeError(`not a readable ${type} picture: ${err.trim().split('\n').pop() ?? ''}`));
        return;
      }
      resolve({ jpeg, ...size });
    });
    // ffmpeg may stop reading early (a bad header): a broken pipe is its answer, not ours.
    p.stdin.on('error', () => undefined);
    p.stdin.end(data);
  });
}
