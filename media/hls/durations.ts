/** The total duration of parts, segments or samples (in whatever unit their `duration` is given). */
export const totalDuration = (items: readonly { duration: number }[]): number =>
  items.reduce((a, x) => a + x.duration, 0);
