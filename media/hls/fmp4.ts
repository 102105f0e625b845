/**
 * Just enough ISO-BMFF to tell whether an fMP4 fragment (`moof` + `mdat`)
 * starts on a sync sample (a keyframe), i.e. whether an LL-HLS part is
 * `INDEPENDENT=YES`.
 */

function* boxes(buf: Buffer, start = 0, end = buf.length): Generator<{ type: string; body: Buffer }> {
  let i = start;
  while (i + 8 <= end) {
    let size = buf.readUInt32BE(i);
    const type = buf.toString('latin1', i + 4, i + 8);
    let head = 8;
    if (size === 1) {
      if (i + 16 > end) return;
      size = Number(buf.readBigUInt64BE(i + 8));
      head = 16;
    } else if (size === 0) size = end - i;
    if (size < head || i + size > end) return;
    yield { type, body: buf.subarray(i + head, i + size) };
    i += size;
  }
}

const NON_SYNC = 0x10000;

/**
 * True when the first sample of every track fragment in the first `moof` is
 * a sync sample; false when one is not; undefined when the fragment does not
 * say (flags only in the init segment's `trex`, or no `moof`).
 */
export function startsWithSyncSample(fragment: Buffer): boolean | undefined {
  const moof = [...boxes(fragment)].find((b) => b.type === 'moof');
  if (!moof) return undefined;
  let known = false;
  for (const traf of boxes(moof.body)) {
    if (traf.type !== 'traf') continue;
    let flags: number | undefined;
    for (const b of boxes(traf.body)) {
      const fl = b.body.readUInt32BE(0) & 0xffffff;
      if (b.type === 'tfhd') {
        let o = 8; // version/flags, track_ID
        if (fl & 0x01) o += 8;
        if (fl & 0x02) o += 4;
        if (fl & 0x08) o += 4;
        if (fl & 0x10) o += 4;
        if (fl & 0x20) flags = b.body.readUInt32BE(o);
      } else if (b.type === 'trun') {
        if (b.body.readUInt32BE(4) === 0) continue; // no samples
        let o = 8; // version/flags, sample_count
        if (fl & 0x01) o += 4;
        if (fl & 0x04) flags = b.body.readUInt32BE(o);
        else if (fl & 0x400) {
          // Per-sample fields of the first sample: duration, size, then flags.
          if (fl & 0x100) o += 4;
          if (fl & 0x200) o += 4;
          flags = b.body.readUInt32BE(o);
        }
        break;
      }
    }
    if (flags === undefined) continue;
    known = true;
    if (flags & NON_SYNC) return false;
  }
  return known ? true : undefined;
}
