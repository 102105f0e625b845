/**
 * The H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1 and Annex E), read
 * as far as the media plane needs it: the coded size (the HLS ladder is
 * planned from it), the profile and level (CODECS of a copied rendition), the
 * frame rate, and the VUI bitstream restriction that says whether frames are
 * reordered (B-frames), which WebRTC cannot carry.
 */

/** Reads bits MSB first from an RBSP (emulation prevention bytes already removed). */
export class BitReader {
  private pos = 0;
  constructor(private readonly buf: Buffer) {}
  get bitsLeft(): number {
    return this.buf.length * 8 - this.pos;
  }
  bit(): number {
    if (this.pos >= this.buf.length * 8) throw new RangeError('SPS truncated');
    const b = (this.buf[this.pos >> 3] >> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }
  bits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 2 + this.bit();
    return v;
  }
  /** ue(v) */
  ue(): number {
    let zeros = 0;
    while (this.bit() === 0) if (++zeros > 31) throw new RangeError('bad exp-Golomb code');
    return 2 ** zeros - 1 + this.bits(zeros);
  }
  /** se(v) */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}

/** A NAL unit's payload without its emulation prevention bytes (00 00 03 → 00 00). */
export function unescapeRbsp(nal: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < nal.length; i++) {
    if (i >= 2 && nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) continue;
    out.push(nal[i]);
  }
  return Buffer.from(out);
}

const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

export interface H264Sps {
  profileIdc: number;
  /** constraint_set0..5 flags and the reserved bits: the middle byte of profile-level-id. */
  constraintFlags: number;
  levelIdc: number;
  /** RFC 6184 profile-level-id of this SPS, 6 lower-case hex digits (e.g. `640028`). */
  profileLevelId: string;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  width: number;
  height: number;
  /** Frames per second from the VUI timing info, when the encoder wrote it. */
  fps?: number;
  /**
   * max_num_reorder_frames of the VUI bitstream restriction: 0 means frames
   * are never reordered (no B-frames). Undefined when the encoder did not say.
   */
  maxNumReorderFrames?: number;
}

function skipScalingLists(r: BitReader, count: number): void {
  for (let i = 0; i < count; i++) {
    if (!r.bit()) continue;
    const size = i < 6 ? 16 : 64;
    let last = 8;
    let next = 8;
    for (let j = 0; j < size; j++) {
      if (next !== 0) next = (last + r.se() + 256) % 256;
      last = next === 0 ? last : next;
    }
  }
}

function skipHrd(r: BitReader): void {
  const cpbCnt = r.ue() + 1;
  r.bits(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < cpbCnt; i++) {
    r.ue();
    r.ue();
    r.bit();
  }
  r.bits(20); // four 5-bit lengths
}

/** Parses an SPS NAL unit (header byte included). Throws RangeError on a truncated or corrupt one. */
export function parseH264Sps(nal: Buffer): H264Sps {
  const r = new BitReader(unescapeRbsp(nal.subarray(1)));
  const profileIdc = r.bits(8);
  const constraintFlags = r.bits(8);
  const levelIdc = r.bits(8);
  r.ue(); // seq_parameter_set_id
  let chromaFormat = 1;
  let separateColourPlanes = 0;
  let bitDepthLuma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormat = r.ue();
    if (chromaFormat === 3) separateColourPlanes = r.bit();
    bitDepthLuma = r.ue() + 8;
    r.ue(); // bit_depth_chroma_minus8
    r.bit(); // qpprime_y_zero_transform_bypass_flag
    if (r.bit()) skipScalingLists(r, chromaFormat === 3 ? 12 : 8);
  }
  r.ue(); // log2_max_frame_num_minus4
  const pocType = r.ue();
  if (pocType === 0) r.ue();
  else if (pocType === 1) {
    r.bit();
    r.se();
    r.se();
    const n = r.ue();
    for (let i = 0; i < n; i++) r.se();
  }
  r.ue(); // max_num_ref_frames
  r.bit(); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.bit();
  if (!frameMbsOnly) r.bit(); // mb_adaptive_frame_field_flag
  r.bit(); // direct_8x8_inference_flag
  let crop = { l: 0, r: 0, t: 0, b: 0 };
  if (r.bit()) crop = { l: r.ue(), r: r.ue(), t: r.ue(), b: r.ue() };
  const chromaArray = separateColourPlanes ? 0 : chromaFormat;
  const cropX = chromaArray === 0 ? 1 : chromaArray === 3 ? 1 : 2;
  const cropY = (chromaArray === 0 ? 1 : chromaArray === 1 ? 2 : 1) * (2 - frameMbsOnly);
  const sps: H264Sps = {
    profileIdc,
    constraintFlags,
    levelIdc,
    profileLevelId: [profileIdc, constraintFlags, levelIdc]
      .map((b) => b.toString(16).padStart(2, '0'))
      .join(''),
    chromaFormatIdc: chromaFormat,
    bitDepthLuma,
    width: widthMbs * 16 - cropX * (crop.l + crop.r),
    height: (2 - frameMbsOnly) * heightMapUnits * 16 - cropY * (crop.t + crop.b),
  };
  // The VUI is optional and comes last: a truncated one leaves what was read so far.
  try {
    if (!r.bit()) return sps;
    if (r.bit() && r.bits(8) === 255) r.bits(32); // aspect_ratio_info: extended SAR
    if (r.bit()) r.bit(); // overscan
    if (r.bit()) {
      r.bits(4); // video_format, video_full_range_flag
      if (r.bit()) r.bits(24); // colour description
    }
    if (r.bit()) {
      r.ue();
      r.ue();
    }
    if (r.bit()) {
      const unitsInTick = r.bits(32);
      const timeScale = r.bits(32);
      r.bit(); // fixed_frame_rate_flag
      if (unitsInTick > 0) sps.fps = Math.round((timeScale / (2 * unitsInTick)) * 1000) / 1000;
    }
    const nalHrd = r.bit();
    if (nalHrd) skipHrd(r);
    const vclHrd = r.bit();
    if (vclHrd) skipHrd(r);
    if (nalHrd || vclHrd) r.bit(); // low_delay_hrd_flag
    r.bit(); // pic_struct_present_flag
    if (r.bit()) {
      r.bit(); // motion_vectors_over_pic_boundaries_flag
      r.ue(); // max_bytes_per_pic_denom
      r.ue(); // max_bits_per_mb_denom
      r.ue(); // log2_max_mv_length_horizontal
      r.ue(); // log2_max_mv_length_vertical
      sps.maxNumReorderFrames = r.ue();
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  return sps;
}

const PROFILE_NAMES: Record<number, string> = {
  66: 'Baseline',
  77: 'Main',
  88: 'Extended',
  100: 'High',
  110: 'High 10',
  122: 'High 4:2:2',
  244: 'High 4:4:4 Predictive',
};

/** "High 4.0", "Constrained Baseline 3.1": for people (the studio page, logs). */
export function h264ProfileName(sps: Pick<H264Sps, 'profileIdc' | 'constraintFlags' | 'levelIdc'>): string {
  let name = PROFILE_NAMES[sps.profileIdc] ?? `profile ${sps.profileIdc}`;
  if (sps.profileIdc === 66 && sps.constraintFlags & 0x40) name = 'Constrained Baseline';
  const level = sps.levelIdc === 11 && sps.constraintFlags & 0x10 ? '1b' : (sps.levelIdc / 10).toFixed(1);
  return `${name} ${level}`;
}
