/**
 * FLV tags, the unit both ingest protocols reduce to: RTMP carries FLV tag
 * bodies as its audio and video messages, and an SRT (MPEG-TS) stream is
 * remuxed to FLV by ffmpeg. This file reads what the ingest needs to decide
 * (codec, keyframe, composition time, decoder configurations) and writes the
 * byte stream ffmpeg reads back (`-f flv`). Pure functions, tested as data.
 */
import { h264ProfileName, parseH264Sps, type H264Sps } from '../codec/h264-sps';

export const FLV_AUDIO = 8;
export const FLV_VIDEO = 9;
export const FLV_SCRIPT = 18;

/** One FLV tag: its type, its decode timestamp (ms) and its body (the RTMP message payload). */
export interface FlvTag {
  type: number;
  dts: number;
  body: Buffer;
}

/** What a video tag is. */
export type VideoTagInfo =
  | { codec: 'h264'; kind: 'config' | 'frame' | 'end'; keyframe: boolean; cts: number }
  /** Any other codec: legacy FLV ids (HEVC's unofficial 12) or enhanced RTMP FourCCs (`hvc1`, `av01`, `vp09`). */
  | { codec: 'other'; name: string };

export type AudioTagInfo = { codec: 'aac'; kind: 'config' | 'frame' } | { codec: 'other'; name: string };

const LEGACY_VIDEO: Record<number, string> = {
  2: 'Sorenson H.263',
  3: 'Screen video',
  4: 'VP6',
  5: 'VP6 alpha',
  6: 'Screen video 2',
  12: 'HEVC',
};
const FOURCC_NAMES: Record<string, string> = {
  hvc1: 'HEVC',
  av01: 'AV1',
  vp09: 'VP9',
  avc1: 'H.264 (enhanced RTMP)',
  mp4a: 'AAC (enhanced RTMP)',
  Opus: 'Opus',
  fLaC: 'FLAC',
  '.mp3': 'MP3',
  'ac-3': 'AC-3',
  'ec-3': 'E-AC-3',
};
const LEGACY_AUDIO: Record<number, string> = {
  0: 'PCM',
  1: 'ADPCM',
  2: 'MP3',
  3: 'PCM',
  4: 'Nellymoser',
  5: 'Nellymoser',
  6: 'Nellymoser',
  7: 'G.711 A-law',
  8: 'G.711 mu-law',
  11: 'Speex',
  14: 'MP3 8 kHz',
};

/** Reads a video tag's header (FLV 10.1 E.4.3.1 and enhanced RTMP's ExVideoTagHeader). Undefined when truncated. */
export function videoTagInfo(body: Buffer): VideoTagInfo | undefined {
  if (body.length < 1) return undefined;
  if (body[0] & 0x80) {
    if (body.length < 5) return undefined;
    const fourcc = body.subarray(1, 5).toString('latin1');
    return { codec: 'other', name: FOURCC_NAMES[fourcc] ?? `FourCC ${JSON.stringify(fourcc)}` };
  }
  const frameType = body[0] >> 4;
  const codecId = body[0] & 0x0f;
  if (codecId !== 7) return { codec: 'other', name: LEGACY_VIDEO[codecId] ?? `FLV video codec ${codecId}` };
  if (body.length < 5) return undefined;
  const packetType = body[1];
  // CompositionTime is SI24: pts = dts + cts.
  const cts = body.readIntBE(2, 3);
  return {
    codec: 'h264',
    kind: packetType === 0 ? 'config' : packetType === 2 ? 'end' : 'frame',
    keyframe: frameType === 1,
    cts,
  };
}

/** Reads an audio tag's header. Undefined when truncated. */
export function audioTagInfo(body: Buffer): AudioTagInfo | undefined {
  if (body.length < 1) return undefined;
  const format = body[0] >> 4;
  if (format === 9) {
    if (body.length < 5) return undefined;
    const fourcc = body.subarray(1, 5).toString('latin1');
    return { codec: 'other', name: FOURCC_NAMES[fourcc] ?? `FourCC ${JSON.stringify(fourcc)}` };
  }
  if (format !== 10) return { codec: 'other', name: LEGACY_AUDIO[format] ?? `FLV audio codec ${format}` };
  if (body.length < 2) return undefined;
  return { codec: 'aac', kind: body[1] === 0 ? 'config' : 'frame' };
}

/** An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.3.3.1), with its first SPS read. */
export interface AvcConfig {
  sps: H264Sps;
  /** "High 4.0" */
  profileName: string;
  spsUnits: Buffer[];
  ppsUnits: Buffer[];
  /** Bytes of each NAL unit's length prefix in the frames (1, 2 or 4). */
  nalLengthSize: number;
}

/** Parses the record of an AVC sequence header tag (the tag body after its 5-byte header). Throws on garbage. */
export function parseAvcConfig(record: Buffer): AvcConfig {
  if (record.length < 7 || record[0] !== 1) throw new RangeError('not an AVCDecoderConfigurationRecord');
  const nalLengthSize = (record[4] & 0x03) + 1;
  const units = (count: number, at: number): [Buffer[], number] => {
    const out: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      if (at + 2 > record.length) throw new RangeError('AVC configuration truncated');
      const n = record.readUInt16BE(at);
      if (at + 2 + n > record.length) throw new RangeError('AVC configuration truncated');
      out.push(record.subarray(at + 2, at + 2 + n));
      at += 2 + n;
    }
    return [out, at];
  };
  const [spsUnits, afterSps] = units(record[5] & 0x1f, 6);
  if (spsUnits.length === 0) throw new RangeError('AVC configuration without an SPS');
  if (afterSps >= record.length) throw new RangeError('AVC configuration truncated');
  const [ppsUnits] = units(record[afterSps], afterSps + 1);
  const sps = parseH264Sps(spsUnits[0]);
  return { sps, profileName: h264ProfileName(sps), spsUnits, ppsUnits, nalLengthSize };
}

/** An AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), as far as CODECS and the decoder need it. */
export interface AacConfig {
  /** Audio object type: 2 AAC-LC, 5 HE-AAC (SBR), 29 HE-AAC v2. */
  objectType: number;
  sampleRate: number;
  channels: number;
  /** RFC 6381, e.g. `mp4a.40.2`. */
  codecs: string;
}

const AAC_RATES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

export function parseAacConfig(asc: Buffer): AacConfig {
  if (asc.length < 2) throw new RangeError('AudioSpecificConfig truncated');
  let pos = 0;
  const read = (n: number) => {
    let v = 0;
    for (let i = 0; i < n; i++) {
      if (pos >= asc.length * 8) throw new RangeError('AudioSpecificConfig truncated');
      v = v * 2 + ((asc[pos >> 3] >> (7 - (pos & 7))) & 1);
      pos++;
    }
    return v;
  };
  let objectType = read(5);
  if (objectType === 31) objectType = 32 + read(6);
  const index = read(4);
  const sampleRate = index === 15 ? read(24) : AAC_RATES[index];
  if (sampleRate === undefined) throw new RangeError(`bad AAC sampling frequency index ${index}`);
  const channels = read(4);
  return { objectType, sampleRate, channels, codecs: `mp4a.40.${objectType}` };
}

/** The 9-byte FLV file header and PreviousTagSize0. */
export function flvHeader(hasAudio: boolean, hasVideo: boolean): Buffer {
  const b = Buffer.from([0x46, 0x4c, 0x56, 0x01, 0, 0, 0, 0, 9, 0, 0, 0, 0]);
  b[4] = (hasAudio ? 4 : 0) | (hasVideo ? 1 : 0);
  return b;
}

/** One tag as it sits in an FLV byte stream: header, body, PreviousTagSize. */
export function flvTagBytes(tag: FlvTag): Buffer {
  const size = tag.body.length;
  const out = Buffer.allocUnsafe(11 + size + 4);
  out[0] = tag.type;
  out.writeUIntBE(size, 1, 3);
  // The timestamp's low 24 bits, then its upper 8 (TimestampExtended).
  const ts = Math.max(0, Math.round(tag.dts)) >>> 0;
  out.writeUIntBE(ts & 0xffffff, 4, 3);
  out[7] = (ts >>> 24) & 0xff;
  out.writeUIntBE(0, 8, 3);
  tag.body.copy(out, 11);
  out.writeUInt32BE(11 + size, 11 + size);
  return out;
}

/**
 * Reads FLV tags out of a byte stream (ffmpeg's `-f flv` output), chunk by
 * chunk. Throws on a stream that is not FLV; tags are copies, safe to keep.
 */
export class FlvReader {
  private buf: Buffer = Buffer.alloc(0);
  private headerDone = false;

  /** Bytes a single tag may have; a larger size means a corrupt stream. */
  constructor(private readonly maxTagBytes = 16 * 1024 * 1024) {}

  push(chunk: Buffer): FlvTag[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const tags: FlvTag[] = [];
    if (!this.headerDone) {
      if (this.buf.length < 13) return tags;
      if (this.buf.toString('latin1', 0, 3) !== 'FLV') throw new RangeError('not an FLV stream');
      const headerSize = this.buf.readUInt32BE(5);
      if (this.buf.length < headerSize + 4) return tags;
      this.buf = this.buf.subarray(headerSize + 4);
      this.headerDone = true;
    }
    let at = 0;
    while (this.buf.length - at >= 11) {
      const size = this.buf.readUIntBE(at + 1, 3);
      if (size > this.maxTagBytes) throw new RangeError(`FLV tag of ${size} bytes`);
      if (this.buf.length - at < 11 + size + 4) break;
      const dts = (this.buf[at + 7] << 24) | this.buf.readUIntBE(at + 4, 3);
      tags.push({
        type: this.buf[at],
        dts: dts >>> 0,
        body: Buffer.from(this.buf.subarray(at + 11, at + 11 + size)),
      });
      at += 11 + size + 4;
    }
    this.buf = this.buf.subarray(at);
    return tags;
  }
}
