import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codecsMatch, DEFAULT_MEDIA_CODECS, routerCapabilitiesFromCodecs } from './codecs';
import type { RtpCapabilities } from './mediasoup-types';

/** Produced by mediasoup 3.27.1's ortc.generateRouterRtpCapabilities(DEFAULT_MEDIA_CODECS); see fixtures/README.md. */
const captured = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'router-rtp-capabilities.json'), 'utf8'),
) as {
  mediasoupVersion: string;
  rtpCapabilities: RtpCapabilities;
};

const text = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '');

describe('router codecs', () => {
  it('computes the same router.rtpCapabilities as mediasoup for DEFAULT_MEDIA_CODECS', () => {
    expect(captured.mediasoupVersion).toBe('3.27.1');
    expect(routerCapabilitiesFromCodecs(DEFAULT_MEDIA_CODECS)).toEqual(captured.rtpCapabilities);
  });

  it('gives the defaults the payload types current libwebrtc offers', () => {
    const pts = Object.fromEntries(
      routerCapabilitiesFromCodecs(DEFAULT_MEDIA_CODECS)
        .codecs.filter((c) => !c.mimeType.endsWith('/rtx'))
        .map((c) => [
          `${c.mimeType} ${text(c.parameters?.['profile-level-id'] ?? c.parameters?.['profile-id'])}`.trim(),
          c.preferredPayloadType,
        ]),
    );
    expect(pts).toMatchObject({
      'audio/opus': 111,
      'video/VP8': 96,
      'video/VP9 0': 98,
      'video/H264 42e01f': 108,
      'video/H264 4d001f': 116,
      'video/AV1': 45,
    });
  });

  it('assigns dynamic payload types the way mediasoup does (100 upward, RTX after each video codec)', () => {
    const caps = routerCapabilitiesFromCodecs([
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
      { kind: 'audio', mimeType: 'audio/PCMU', clockRate: 8000 },
    ]);
    expect(caps.codecs.map((c) => [c.mimeType, c.preferredPayloadType])).toEqual([
      ['audio/opus', 100],
      ['video/VP8', 101],
      ['video/rtx', 102],
      ['audio/PCMU', 0],
    ]);
    expect(caps.codecs[2].parameters).toEqual({ apt: 101 });
  });

  it('refuses what mediasoup refuses', () => {
    expect(() =>
      routerCapabilitiesFromCodecs([{ kind: 'video', mimeType: 'video/H265', clockRate: 90000 }]),
    ).toThrow(/not supported/);
    expect(() =>
      routerCapabilitiesFromCodecs([
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 96 },
        { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, preferredPayloadType: 100 },
      ]),
    ).toThrow(/duplicated/);
  });

  it('matches codecs strictly on H.264 profile and VP9 profile-id, loosely otherwise', () => {
    const vp9p2 = { mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 2 } };
    expect(codecsMatch({ mimeType: 'video/vp9', clockRate: 90000 }, vp9p2, true)).toBe(false);
    expect(codecsMatch({ mimeType: 'video/vp9', clockRate: 90000 }, vp9p2, false)).toBe(true);
    expect(
      codecsMatch(
        { mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
        { mimeType: 'audio/opus', clockRate: 48000 },
        false,
      ),
    ).toBe(false);
  });
});
