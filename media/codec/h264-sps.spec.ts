import { h264ProfileName, parseH264Sps } from './h264-sps';

/** SPS units as x264 writes them (`ffmpeg -f lavfi -i testsrc=size=1280x720:rate=30 -pix_fmt yuv420p -c:v libx264 … -f h264`). */
const SPS = {
  highNoBframes: '6764001facb402802dd80880000003008000001e078c1950', // -profile:v high -bf 0
  highBframes: '6764001facd9405005bb0110000003001000000303c0f1831960', // -profile:v high -bf 2
  mainZerolatency: '674d401fda014016ec0440000003004000000f23c60ca8', // -profile:v main -tune zerolatency
  baseline: '6742c01fda014016ec0440000003004000000f03c60ca8', // -profile:v baseline
};
const sps = (hex: string) => parseH264Sps(Buffer.from(hex, 'hex'));

describe('H.264 sequence parameter set', () => {
  it('reads the size, profile-level-id and frame rate', () => {
    expect(sps(SPS.highNoBframes)).toMatchObject({
      width: 1280,
      height: 720,
      profileIdc: 100,
      levelIdc: 31,
      profileLevelId: '64001f',
      chromaFormatIdc: 1,
      bitDepthLuma: 8,
      fps: 30,
    });
    expect(sps(SPS.baseline).profileLevelId).toBe('42c01f');
  });

  it('tells from the VUI bitstream restriction whether frames are reordered (B-frames)', () => {
    expect(sps(SPS.highNoBframes).maxNumReorderFrames).toBe(0);
    expect(sps(SPS.mainZerolatency).maxNumReorderFrames).toBe(0);
    expect(sps(SPS.highBframes).maxNumReorderFrames).toBeGreaterThan(0);
  });

  it('leaves the reorder depth unknown when the VUI is cut short, and refuses a truncated header', () => {
    const cut = Buffer.from(SPS.highBframes, 'hex').subarray(0, 12);
    expect(parseH264Sps(cut)).toMatchObject({ width: 1280, height: 720 });
    expect(parseH264Sps(cut).maxNumReorderFrames).toBeUndefined();
    expect(() => parseH264Sps(Buffer.from('6764', 'hex'))).toThrow(RangeError);
  });

  it('names profiles for people', () => {
    expect(h264ProfileName(sps(SPS.highBframes))).toBe('High 3.1');
    expect(h264ProfileName(sps(SPS.baseline))).toBe('Constrained Baseline 3.1');
    expect(h264ProfileName(sps(SPS.mainZerolatency))).toBe('Main 3.1');
  });
});
