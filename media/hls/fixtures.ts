/** Test fixtures shared by the HLS specs. */
import type { MasterVariant } from './playlist';

/** A 16:9, 30 fps H.264 + AAC variant of the master playlist. */
export function variant(
  name: string,
  height: number,
  bandwidth: number,
  codecs = 'avc1.4d401f,mp4a.40.2',
): MasterVariant {
  return { name, width: Math.round((height * 16) / 9), height, bandwidth, codecs, fps: 30 };
}
