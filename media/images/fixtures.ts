import { execFileSync } from 'node:child_process';

/** A real picture (ffmpeg's test pattern) of `size` ("64x64"), as PNG or JPEG bytes: for the resize spec and upload tests. */
export const testPicture = (size: string, codec: 'png' | 'mjpeg' = 'png'): Buffer =>
  execFileSync('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    `testsrc=size=${size}`,
    '-frames:v',
    '1',
    '-f',
    'image2',
    '-c:v',
    codec,
    'pipe:1',
  ]);
