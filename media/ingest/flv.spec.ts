import {
  audioTagInfo,
  flvHeader,
  FlvReader,
  flvTagBytes,
  FLV_AUDIO,
  FLV_VIDEO,
  parseAacConfig,
  parseAvcConfig,
  videoTagInfo,
} from './flv';

/** x264's SPS (`-profile:v high -bf 2`, 1280x720) and a PPS, as an AVCDecoderConfigurationRecord. */
const SPS = Buffer.from('6764001facd9405005bb0110000003001000000303c0f1831960', 'hex');
const PPS = Buffer.from('68ebe3cb22c0', 'hex');
const record = Buffer.concat([
  Buffer.from([1, 0x64, 0x00, 0x1f, 0xff, 0xe1]),
  Buffer.from([0, SPS.length]),
  SPS,
  Buffer.from([1, 0, PPS.length]),
  PPS,
]);
const avcTag = (frameType: number, packetType: number, cts: number, payload = Buffer.alloc(0)) => {
  const head = Buffer.alloc(5);
  head[0] = (frameType << 4) | 7;
  head[1] = packetType;
  head.writeIntBE(cts, 2, 3);
  return Buffer.concat([head, payload]);
};

describe('FLV video tags', () => {
  it('reads an AVC sequence header, keyframes and the signed composition time', () => {
    expect(videoTagInfo(avcTag(1, 0, 0, record))).toEqual({
      codec: 'h264',
      kind: 'config',
      keyframe: true,
      cts: 0,
    });
    expect(videoTagInfo(avcTag(1, 1, 67))).toMatchObject({ kind: 'frame', keyframe: true, cts: 67 });
    expect(videoTagInfo(avcTag(2, 1, -33))).toMatchObject({ kind: 'frame', keyframe: false, cts: -33 });
  });

  it('names codecs it does not take: legacy HEVC and enhanced RTMP FourCCs', () => {
    expect(videoTagInfo(Buffer.from([0x1c, 0, 0, 0, 0]))).toEqual({ codec: 'other', name: 'HEVC' });
    expect(videoTagInfo(Buffer.from([0x90, ...Buffer.from('hvc1')]))).toEqual({
      codec: 'other',
      name: 'HEVC',
    });
    expect(videoTagInfo(Buffer.from([0x91, ...Buffer.from('av01')]))).toEqual({
      codec: 'other',
      name: 'AV1',
    });
    expect(videoTagInfo(Buffer.from([0x14]))).toEqual({ codec: 'other', name: 'VP6' });
    expect(videoTagInfo(Buffer.alloc(0))).toBeUndefined();
    expect(videoTagInfo(Buffer.from([0x17, 1]))).toBeUndefined();
  });

  it('parses the decoder configuration with its SPS', () => {
    const c = parseAvcConfig(record);
    expect(c).toMatchObject({ nalLengthSize: 4, profileName: 'High 3.1' });
    expect(c.sps).toMatchObject({ width: 1280, height: 720, profileLevelId: '64001f' });
    expect(c.sps.maxNumReorderFrames).toBeGreaterThan(0);
    expect(c.spsUnits).toHaveLength(1);
    expect(c.ppsUnits[0]).toEqual(PPS);
    expect(() => parseAvcConfig(record.subarray(0, 12))).toThrow(RangeError);
    expect(() => parseAvcConfig(Buffer.from('00000000000000', 'hex'))).toThrow(RangeError);
  });
});

describe('FLV audio tags', () => {
  it('takes AAC and names the rest', () => {
    expect(audioTagInfo(Buffer.from([0xaf, 0, 0x11, 0x90]))).toEqual({ codec: 'aac', kind: 'config' });
    expect(audioTagInfo(Buffer.from([0xaf, 1, 0x21]))).toEqual({ codec: 'aac', kind: 'frame' });
    expect(audioTagInfo(Buffer.from([0x2f, 0xff]))).toEqual({ codec: 'other', name: 'MP3' });
    expect(audioTagInfo(Buffer.from([0x90, ...Buffer.from('Opus')]))).toEqual({
      codec: 'other',
      name: 'Opus',
    });
  });

  it('reads an AudioSpecificConfig: AAC-LC 48 kHz stereo, HE-AAC 44.1 kHz', () => {
    expect(parseAacConfig(Buffer.from([0x11, 0x90]))).toEqual({
      objectType: 2,
      sampleRate: 48000,
      channels: 2,
      codecs: 'mp4a.40.2',
    });
    expect(parseAacConfig(Buffer.from([0x2a, 0x10]))).toMatchObject({
      objectType: 5,
      sampleRate: 44100,
      channels: 2,
    });
    expect(() => parseAacConfig(Buffer.from([0x11]))).toThrow(RangeError);
  });
});

describe('FLV byte stream', () => {
  it('writes tags a reader gets back, 32-bit timestamps included, across chunk boundaries', () => {
    const tags = [
      { type: FLV_VIDEO, dts: 0, body: avcTag(1, 0, 0, record) },
      { type: FLV_AUDIO, dts: 21, body: Buffer.from([0xaf, 1, 1, 2, 3]) },
      { type: FLV_VIDEO, dts: 0x1234567, body: avcTag(2, 1, 33, Buffer.alloc(3000, 7)) },
    ];
    const bytes = Buffer.concat([flvHeader(true, true), ...tags.map(flvTagBytes)]);
    expect(bytes.subarray(0, 5)).toEqual(Buffer.from([0x46, 0x4c, 0x56, 1, 5]));
    const reader = new FlvReader();
    const out = [];
    for (let i = 0; i < bytes.length; i += 777) out.push(...reader.push(bytes.subarray(i, i + 777)));
    expect(out).toEqual(tags);
  });

  it('refuses what is not FLV, and absurd tag sizes', () => {
    expect(() => new FlvReader().push(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toThrow(RangeError);
    const huge = Buffer.concat([
      flvHeader(false, true),
      Buffer.from([9, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0]),
    ]);
    expect(() => new FlvReader(1024).push(huge)).toThrow(/FLV tag/);
  });
});
