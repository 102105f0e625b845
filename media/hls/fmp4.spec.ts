import { startsWithSyncSample } from './fmp4';

const box = (type: string, ...body: Buffer[]) => {
  const b = Buffer.concat(body);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + b.length);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, b]);
};
const u32 = (...n: number[]) =>
  Buffer.concat(n.map((x) => Buffer.from([x >>> 24, (x >> 16) & 255, (x >> 8) & 255, x & 255])));
const SYNC = 0x02000000;
const NON_SYNC = 0x01010000;

/** A fragment as ffmpeg's mp4 muxer writes it: tfhd with default flags, trun with first-sample flags. */
function fragment(tracks: { defaults?: number; first?: number; perSample?: number }[]): Buffer {
  const trafs = tracks.map((t, i) => {
    const tfhd =
      t.defaults === undefined
        ? box('tfhd', u32(0x020000, i + 1))
        : box('tfhd', u32(0x020020, i + 1, t.defaults));
    const trun =
      t.first !== undefined
        ? box('trun', u32(0x000305, 2, 100, t.first, 512, 1000, 512, 900))
        : t.perSample !== undefined
          ? box('trun', u32(0x000701, 2, 100, 512, 1000, t.perSample, 512, 900, NON_SYNC))
          : box('trun', u32(0x000301, 2, 100, 512, 1000, 512, 900));
    return box('traf', tfhd, trun);
  });
  return Buffer.concat([
    box('styp', Buffer.from('msdh')),
    box('moof', box('mfhd', u32(0, 1)), ...trafs),
    box('mdat', Buffer.alloc(16)),
  ]);
}

describe('startsWithSyncSample', () => {
  it('reads the first sample flags of trun, else the tfhd default', () => {
    expect(startsWithSyncSample(fragment([{ defaults: NON_SYNC, first: SYNC }, { defaults: SYNC }]))).toBe(
      true,
    );
    expect(startsWithSyncSample(fragment([{ defaults: NON_SYNC }, { defaults: SYNC }]))).toBe(false);
    expect(startsWithSyncSample(fragment([{ perSample: SYNC }]))).toBe(true);
    expect(startsWithSyncSample(fragment([{ perSample: NON_SYNC }]))).toBe(false);
  });

  it('is undefined when the fragment does not say (flags only in the init segment) or is no fragment', () => {
    expect(startsWithSyncSample(fragment([{}]))).toBeUndefined();
    expect(startsWithSyncSample(Buffer.from('not an mp4'))).toBeUndefined();
    expect(startsWithSyncSample(Buffer.alloc(0))).toBeUndefined();
  });
});
