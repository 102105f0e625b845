// What the studio asks the camera for: 720p in the orientation the streamer
// chose. Portrait (9:16, a phone held upright) is vertical live end to end: the
// HLS ladder keeps the source's orientation (media/hls/ladder.ts), and the
// phone watch page fills its screen with it.

export const ORIENTATIONS = ['landscape', 'portrait'] as const;
export type Orientation = (typeof ORIENTATIONS)[number];

export const ORIENTATION_LABELS: Record<Orientation, string> = {
  landscape: 'Landscape (16:9)',
  portrait: 'Portrait (9:16, vertical)',
};

/** A stored or submitted value as an orientation; anything else is landscape, the default. */
export function orientationOf(value: string | null | undefined): Orientation {
  return value === 'portrait' ? 'portrait' : 'landscape';
}

/**
 * The video constraints of getUserMedia: 1280x720 or 720x1280, as ideals (a
 * camera that cannot do it gives its nearest size rather than failing), and
 * the aspect ratio, which phone cameras honour by cropping their sensor.
 */
export function cameraConstraints(orientation: Orientation, deviceId?: string): MediaTrackConstraints {
  const size =
    orientation === 'portrait'
      ? { width: 720, height: 1280, aspectRatio: 9 / 16 }
      : { width: 1280, height: 720, aspectRatio: 16 / 9 };
  return deviceId ? { deviceId: { exact: deviceId }, ...size } : size;
}
