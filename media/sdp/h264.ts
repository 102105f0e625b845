/**
 * H.264 profile-level-id handling (RFC 6184 section 8.1), the part mediasoup
 * takes from the `h264-profile-level-id` package: two H.264 codec entries are
 * the same codec only when packetization-mode and the *profile* (profile_idc
 * plus the constraint flags of profile-iop) agree; the level only bounds the
 * stream and is negotiated, not matched. Re-implemented here (same pattern
 * table as that package, which mirrors libwebrtc) so the SDP module needs no
 * extra dependency, and so a mismatch can be explained in words.
 */

/** The profiles WebRTC stacks negotiate. Constrained Baseline is what every browser can decode. */
export type H264Profile =
  'ConstrainedBaseline' | 'Baseline' | 'Main' | 'ConstrainedHigh' | 'High' | 'PredictiveHigh444';

/** A parsed profile-level-id: level is level_idc (31 = 3.1), 0 stands for level 1b. */
export interface H264ProfileLevel {
  profile: H264Profile;
  level: number;
}

/** profile_idc, then a bit pattern over profile-iop where x is "either". Order matters: first match wins. */
const PATTERNS: ReadonlyArray<readonly [number, string, H264Profile]> = [
  [0x42, 'x1xx0000', 'ConstrainedBaseline'],
  [0x4d, '1xxx0000', 'ConstrainedBaseline'],
  [0x58, '11xx0000', 'ConstrainedBaseline'],
  [0x42, 'x0xx0000', 'Baseline'],
  [0x58, '10xx0000', 'Baseline'],
  [0x4d, '0x0x0000', 'Main'],
  [0x64, '00000000', 'High'],
  [0x64, '00001100', 'ConstrainedHigh'],
  [0xf4, '00000000', 'PredictiveHigh444'],
];

const LEVELS = new Set([10, 11, 12, 13, 20, 21, 22, 30, 31, 32, 40, 41, 42, 50, 51, 52]);

/** When profile-level-id is absent libwebrtc (and mediasoup) assume Constrained Baseline 3.1. */
const DEFAULT_PROFILE_LEVEL: H264ProfileLevel = { profile: 'ConstrainedBaseline', level: 31 };

function matchesPattern(pattern: string, value: number): boolean {
  for (let bit = 0; bit < 8; bit++) {
    const want = pattern[bit];
    if (want === 'x') continue;
    const got = (value >> (7 - bit)) & 1;
    if (String(got) !== want) return false;
  }
  return true;
}

/** Parses a 6-hex-digit profile-level-id; undefined when it is not one WebRTC knows. */
export function parseProfileLevelId(value: unknown): H264ProfileLevel | undefined {
  // sdp-transform turns an all-digit value such as 640032 into a number.
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^[0-9a-fA-F]{6}$/.test(text)) return undefined;
  const n = parseInt(text, 16);
  const profileIdc = (n >> 16) & 0xff;
  const profileIop = (n >> 8) & 0xff;
  const levelIdc = n & 0xff;
  let level: number;
  if (levelIdc === 11) {
    // Level 1b is level_idc 11 with constraint_set3_flag (0x10) set.
    level = (profileIop & 0x10) !== 0 ? 0 : 11;
  } else if (LEVELS.has(levelIdc)) {
    level = levelIdc;
  } else {
    return undefined;
  }
  for (const [idc, pattern, profile] of PATTERNS) {
    if (idc === profileIdc && matchesPattern(pattern, profileIop)) return { profile, level };
  }
  return undefined;
}

/** The profile-level-id of a codec's fmtp parameters, with the WebRTC default when absent. */
export function profileLevelOf(
  parameters: Readonly<Record<string, unknown>> | undefined,
): H264ProfileLevel | undefined {
  const raw = parameters?.['profile-level-id'];
  if (raw === undefined || raw === '') return DEFAULT_PROFILE_LEVEL;
  return parseProfileLevelId(raw);
}

/** packetization-mode, 0 when absent (RFC 6184). */
export function packetizationModeOf(parameters: Readonly<Record<string, unknown>> | undefined): number {
  const raw = parameters?.['packetization-mode'];
  const n = typeof raw === 'number' ? raw : Number(raw ?? 0);
  return Number.isFinite(n) ? n : 0;
}

/** True when both parameter sets name the same H.264 profile (levels may differ). */
export function isSameH264Profile(
  a: Readonly<Record<string, unknown>> | undefined,
  b: Readonly<Record<string, unknown>> | undefined,
): boolean {
  const pa = profileLevelOf(a);
  const pb = profileLevelOf(b);
  return pa !== undefined && pb !== undefined && pa.profile === pb.profile;
}

/**
 * True when two H.264 entries are the same codec for negotiation: same
 * packetization-mode and same profile. This is mediasoup's strict match.
 */
export function h264CodecsMatch(
  a: Readonly<Record<string, unknown>> | undefined,
  b: Readonly<Record<string, unknown>> | undefined,
): boolean {
  return packetizationModeOf(a) === packetizationModeOf(b) && isSameH264Profile(a, b);
}

const PROFILE_PREFIX: Record<H264Profile, string> = {
  ConstrainedBaseline: '42e0',
  Baseline: '4200',
  Main: '4d00',
  ConstrainedHigh: '640c',
  High: '6400',
  PredictiveHigh444: 'f400',
};

/** Canonical profile-level-id text for a profile and level. */
export function profileLevelIdToString({ profile, level }: H264ProfileLevel): string | undefined {
  if (level === 0) {
    if (profile === 'ConstrainedBaseline') return '42f00b';
    if (profile === 'Baseline') return '42100b';
    if (profile === 'Main') return '4d100b';
    return undefined;
  }
  return `${PROFILE_PREFIX[profile]}${level.toString(16).padStart(2, '0')}`;
}

function isLevelAsymmetryAllowed(parameters: Readonly<Record<string, unknown>> | undefined): boolean {
  const v = parameters?.['level-asymmetry-allowed'];
  return v === 1 || v === '1' || v === true;
}

function isLessLevel(a: number, b: number): boolean {
  // Level 1b (0) sits between 1 (10) and 1.1 (11).
  if (a === 0) return b !== 10 && b !== 0;
  if (b === 0) return a !== 10;
  return a < b;
}

/**
 * The profile-level-id to put in an answer (RFC 6184 8.2.2, libwebrtc's
 * rule): the shared profile, at our level when both sides allow level
 * asymmetry, else at the lower of the two levels. Undefined when neither side
 * gave one (then the answer omits it too). Throws if the profiles differ:
 * call it only for entries that {@link h264CodecsMatch}.
 */
export function answerProfileLevelId(
  local: Readonly<Record<string, unknown>> | undefined,
  remote: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  if (local?.['profile-level-id'] === undefined && remote?.['profile-level-id'] === undefined)
    return undefined;
  const l = profileLevelOf(local);
  const r = profileLevelOf(remote);
  if (!l || !r || l.profile !== r.profile) throw new Error('H.264 profiles differ');
  const level =
    isLevelAsymmetryAllowed(local) && isLevelAsymmetryAllowed(remote)
      ? l.level
      : isLessLevel(l.level, r.level)
        ? l.level
        : r.level;
  return profileLevelIdToString({ profile: l.profile, level });
}

/** "H264 (Constrained Baseline 3.1, packetization-mode=1)" — for error messages. */
export function describeH264(parameters: Readonly<Record<string, unknown>> | undefined): string {
  const pl = profileLevelOf(parameters);
  const raw = parameters?.['profile-level-id'];
  const profile = pl
    ? `${pl.profile.replace(/([a-z])([A-Z0-9])/g, '$1 $2')} ${pl.level === 0 ? '1b' : (pl.level / 10).toFixed(1)}`
    : `unknown profile-level-id ${String(raw)}`;
  return `H264 (${profile}, packetization-mode=${packetizationModeOf(parameters)})`;
}
