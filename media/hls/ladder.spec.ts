import {
  buildFfmpegCommand,
  copiedPartTarget,
  copiedPartTiming,
  DEFAULT_LADDER,
  partFrames,
  planLadder,
  rungSize,
  toArgv,
  type SourceInfo,
} from './ladder';

const vp8_720: SourceInfo = { width: 1280, height: 720, codec: 'vp8', hasAudio: true };
const h264_1080: SourceInfo = {
  width: 1920,
  height: 1080,
  codec: 'h264',
  h264ProfileLevelId: '42e01f',
  hasAudio: true,
};

describe('planLadder', () => {
  it('keeps 720p, 480p and 360p for a 720p source, widths even and in the source aspect', () => {
    expect(planLadder(DEFAULT_LADDER, vp8_720, true).map((r) => [r.name, r.width, r.height, r.copy])).toEqual(
      [
        ['720p', 1280, 720, false],
        ['480p', 854, 480, false],
        ['360p', 640, 360, false],
      ],
    );
  });

  it('drops rungs above the source height instead of upscaling', () => {
    const plan = planLadder(DEFAULT_LADDER, { width: 640, height: 480, codec: 'vp8', hasAudio: true }, false);
    expect(plan.map((r) => `${r.width}x${r.height}`)).toEqual(['640x480', '480x360']);
  });

  it('stands in one rung at the source size when the source is below every rung', () => {
    const plan = planLadder(
      DEFAULT_LADDER,
      { width: 320, height: 240, codec: 'vp8', hasAudio: false },
      false,
    );
    expect(plan).toEqual([
      { name: '240p', width: 320, height: 240, videoBitrate: 800_000, copy: false, codecs: 'avc1.4d401f' },
    ]);
  });

  it('copies the top rung of an H.264 source when asked, at the source size and with its own profile in CODECS', () => {
    const plan = planLadder(DEFAULT_LADDER, h264_1080, true);
    expect(plan[0]).toMatchObject({
      name: '720p',
      width: 1920,
      height: 1080,
      copy: true,
      codecs: 'avc1.42e01f,mp4a.40.2',
    });
    expect(plan.slice(1).every((r) => !r.copy)).toBe(true);
  });

  it("counts a portrait source's rungs on its width, so 720p of a 720x1280 camera is 720x1280, not 406x720", () => {
    const portrait: SourceInfo = { width: 720, height: 1280, codec: 'vp8', hasAudio: true };
    expect(planLadder(DEFAULT_LADDER, portrait, false).map((r) => [r.name, r.width, r.height])).toEqual([
      ['720p', 720, 1280],
      ['480p', 480, 854],
      ['360p', 360, 640],
    ]);
  });

  it("drops the rungs above a portrait source's short side, whatever its height", () => {
    const plan = planLadder(
      DEFAULT_LADDER,
      { width: 480, height: 854, codec: 'vp8', hasAudio: false },
      false,
    );
    expect(plan.map((r) => `${r.name} ${r.width}x${r.height}`)).toEqual(['480p 480x854', '360p 360x640']);
  });

  it("names an ingest's copied portrait H.264 after its short side and encodes the rungs below it upright", () => {
    const obsPortrait: SourceInfo = { ...h264_1080, width: 1080, height: 1920 };
    const plan = planLadder(DEFAULT_LADDER, obsPortrait, 'source');
    expect(plan.map((r) => [r.name, r.width, r.height, r.copy])).toEqual([
      ['1080p', 1080, 1920, true],
      ['720p', 720, 1280, false],
      ['480p', 480, 854, false],
      ['360p', 360, 640, false],
    ]);
  });

  it('sizes a rung on the short side in either orientation, both sides even', () => {
    expect(rungSize({ width: 1280, height: 720 }, 360)).toEqual({ width: 640, height: 360 });
    expect(rungSize({ width: 720, height: 1280 }, 360)).toEqual({ width: 360, height: 640 });
    expect(rungSize({ width: 1080, height: 1920 }, 480)).toEqual({ width: 480, height: 854 });
    // A square picture is not portrait: same size either way.
    expect(rungSize({ width: 500, height: 500 }, 360)).toEqual({ width: 360, height: 360 });
    // An odd source keeps its aspect, rounded to even.
    expect(rungSize({ width: 405, height: 720 }, 361)).toEqual({ width: 362, height: 644 });
  });

  it('re-encodes an H.264 source when copying is off, and never copies VP8', () => {
    expect(planLadder(DEFAULT_LADDER, h264_1080, false).some((r) => r.copy)).toBe(false);
    expect(planLadder(DEFAULT_LADDER, vp8_720, true).some((r) => r.copy)).toBe(false);
  });
});

const base = {
  sdpPath: '/w/stream.sdp',
  hasAudio: true,
  partSeconds: 1 / 3,
  partsPerSegment: 4,
  keyframeParts: 4,
  fps: 30,
  outDir: '/w',
  posterPath: '/w/poster.jpg',
  posterSeconds: 3,
};

describe('buildFfmpegCommand', () => {
  it('scales a portrait source upright, the poster 360 lines wide', () => {
    const portrait: SourceInfo = { width: 720, height: 1280, codec: 'vp8', hasAudio: false };
    const cmd = buildFfmpegCommand({ ...base, renditions: planLadder(DEFAULT_LADDER, portrait, false) });
    expect(cmd.filterComplex).toBe(
      '[0:v:0]fps=30,split=4[s0][s1][s2][sp];' +
        '[s0]scale=720:1280:flags=bicubic,format=yuv420p[v0];' +
        '[s1]scale=480:854:flags=bicubic,format=yuv420p[v1];' +
        '[s2]scale=360:640:flags=bicubic,format=yuv420p[v2];' +
        '[sp]fps=1/3,scale=360:-2[poster]',
    );
  });

  it('reads the SDP over RTP and splits one decode into a scaled branch per encoded rung plus the poster', () => {
    const cmd = buildFfmpegCommand({ ...base, renditions: planLadder(DEFAULT_LADDER, vp8_720, false) });
    expect(cmd.input).toBe('/w/stream.sdp');
    expect(cmd.inputArgs.slice(0, 2)).toEqual(['-protocol_whitelist', 'file,udp,rtp']);
    expect(cmd.filterComplex).toBe(
      '[0:v:0]fps=30,split=4[s0][s1][s2][sp];' +
        '[s0]scale=1280:720:flags=bicubic,format=yuv420p[v0];' +
        '[s1]scale=854:480:flags=bicubic,format=yuv420p[v1];' +
        '[s2]scale=640:360:flags=bicubic,format=yuv420p[v2];' +
        '[sp]fps=1/3,scale=-2:360[poster]',
    );
    expect(cmd.outputs.map((o) => o.path)).toEqual([
      '/w/720p/ffmpeg.m3u8',
      '/w/480p/ffmpeg.m3u8',
      '/w/360p/ffmpeg.m3u8',
      '/w/poster.jpg',
    ]);
  });

  it('cuts encoded rungs into parts of whole frames by time, with a keyframe every segment counted from the first frame', () => {
    const cmd = buildFfmpegCommand({ ...base, renditions: planLadder(DEFAULT_LADDER, vp8_720, false) });
    for (const o of cmd.outputs.slice(0, 3)) {
      const arg = (flag: string) => o.args[o.args.indexOf(flag) + 1];
      expect(arg('-c:v')).toBe('libx264');
      // 4 parts of 10 frames: a keyframe every 40 frames (1.333 s), the first frame included.
      expect(arg('-force_key_frames')).toBe('expr:if(isnan(prev_forced_t),1,gte(t,prev_forced_t+1.316667))');
      expect(arg('-g')).toBe('40');
      expect(arg('-keyint_min')).toBe('40');
      expect(arg('-sc_threshold')).toBe('0');
      expect(arg('-tune')).toBe('zerolatency');
      expect(arg('-c:a')).toBe('aac');
      expect(arg('-hls_time')).toBe('0.333333');
      expect(arg('-hls_flags')).toBe('split_by_time+temp_file');
      expect(arg('-hls_segment_type')).toBe('fmp4');
      expect(arg('-hls_segment_options')).toBe('video_track_timescale=1000000');
    }
    expect(cmd.outputs[1].args).toEqual(expect.arrayContaining(['-map', '[v1]', '-b:v', '1400000']));
  });

  it('puts a keyframe every keyframeParts parts: 1 makes every part independent', () => {
    const cmd = buildFfmpegCommand({
      ...base,
      keyframeParts: 1,
      renditions: planLadder(DEFAULT_LADDER, vp8_720, false),
    });
    const args = cmd.outputs[0].args;
    const arg = (flag: string) => args[args.indexOf(flag) + 1];
    // 10 frames (1/3 s), less half a frame of slack.
    expect(arg('-force_key_frames')).toBe('expr:if(isnan(prev_forced_t),1,gte(t,prev_forced_t+0.316667))');
    expect(arg('-g')).toBe('10');
    expect(arg('-keyint_min')).toBe('10');
    expect(arg('-hls_time')).toBe('0.333333');
  });

  it('reads the input without buffering and with little probing', () => {
    const cmd = buildFfmpegCommand({ ...base, renditions: planLadder(DEFAULT_LADDER, vp8_720, false) });
    const arg = (flag: string) => cmd.inputArgs[cmd.inputArgs.indexOf(flag) + 1];
    expect(arg('-fflags')).toContain('+nobuffer');
    expect(arg('-flags')).toBe('low_delay');
    expect(Number(arg('-analyzeduration'))).toBeLessThanOrEqual(100_000);
  });

  it('rounds parts to whole frames', () => {
    expect(partFrames(0.5, 30)).toBe(15);
    expect(partFrames(0.333, 30)).toBe(10);
    expect(partFrames(0.333, 25)).toBe(8);
    expect(partFrames(0.01, 30)).toBe(1);
  });

  it('maps the source video untouched for a copied rung and leaves it out of the filter graph', () => {
    const cmd = buildFfmpegCommand({ ...base, renditions: planLadder(DEFAULT_LADDER, h264_1080, true) });
    expect(cmd.outputs[0].args.slice(0, 4)).toEqual(['-map', '0:v:0', '-c:v', 'copy']);
    expect(cmd.outputs[0].args).not.toContain('-force_key_frames');
    // Copied parts can only be cut at the publisher's keyframes.
    expect(cmd.outputs[0].args).not.toContain('split_by_time+temp_file');
    // Microsecond ticks whatever the source's timestamps were.
    expect(cmd.outputs[0].args).toEqual(
      expect.arrayContaining(['-hls_segment_options', 'video_track_timescale=1000000']),
    );
    expect(cmd.filterComplex.startsWith('[0:v:0]fps=30,split=3[s0][s1][sp];')).toBe(true);
  });

  it('maps no audio when the publisher sends none', () => {
    const cmd = buildFfmpegCommand({
      ...base,
      hasAudio: false,
      renditions: planLadder(DEFAULT_LADDER, vp8_720, false),
    });
    expect(toArgv(cmd)).not.toContain('0:a:0');
  });

  it('flattens to one argv with the input before the filter graph and each output after its options', () => {
    const argv = toArgv(
      buildFfmpegCommand({ ...base, renditions: planLadder(DEFAULT_LADDER, vp8_720, false) }),
    );
    expect(argv.indexOf('-i')).toBeLessThan(argv.indexOf('-filter_complex'));
    expect(argv[argv.length - 1]).toBe('/w/poster.jpg');
    expect(argv.indexOf('/w/720p/ffmpeg.m3u8')).toBeGreaterThan(argv.indexOf('-hls_segment_filename'));
  });
});

/** An RTMP/SRT encoder's 16:9 H.264 High and HE-AAC. */
const ingest = (height: number): SourceInfo => ({
  width: Math.round((height * 16) / 9 / 2) * 2,
  height,
  codec: 'h264',
  h264ProfileLevelId: '640028',
  hasAudio: true,
  audioCodecs: 'mp4a.40.5',
});

describe('the ladder of an RTMP/SRT ingest', () => {
  it('copies the encoder itself as the top rendition and encodes only the rungs below it', () => {
    expect(planLadder(DEFAULT_LADDER, ingest(1080), 'source').map((r) => [r.name, r.height, r.copy])).toEqual(
      [
        ['1080p', 1080, true],
        ['720p', 720, false],
        ['480p', 480, false],
        ['360p', 360, false],
      ],
    );
    const plan = planLadder(DEFAULT_LADDER, ingest(720), 'source');
    expect(plan.map((r) => [r.name, r.copy])).toEqual([
      ['720p', true],
      ['480p', false],
      ['360p', false],
    ]);
    // CODECS: the encoder's own profile and its AAC object type.
    expect(plan[0].codecs).toBe('avc1.640028,mp4a.40.5');
    expect(plan[1].codecs).toBe('avc1.4d401f,mp4a.40.5');
  });

  it('reads FLV from the ingest and keeps its AAC; the copied rung is cut by time like the others', () => {
    const cmd = buildFfmpegCommand({
      ...base,
      flvUrl: 'tcp://127.0.0.1:50100?listen=1&listen_timeout=10000',
      renditions: planLadder(DEFAULT_LADDER, ingest(720), 'source'),
    });
    expect(cmd.input).toBe('tcp://127.0.0.1:50100?listen=1&listen_timeout=10000');
    expect(cmd.inputArgs.slice(-2)).toEqual(['-f', 'flv']);
    expect(cmd.inputArgs.join(' ')).not.toContain('nobuffer');
    for (const o of cmd.outputs.slice(0, 3)) {
      const arg = (flag: string) => o.args[o.args.indexOf(flag) + 1];
      expect(arg('-c:a')).toBe('copy');
      expect(arg('-hls_flags')).toBe('split_by_time+temp_file');
    }
    expect(cmd.outputs[0].args.slice(0, 4)).toEqual(['-map', '0:v:0', '-c:v', 'copy']);
  });
});

describe('copiedPartTiming', () => {
  const at30 = { source: 30, encoded: 30 };
  const defaults = { partSeconds: 0.2, partsPerSegment: 10, keyframeParts: 2 };

  it('rounds 1/3 s parts up to 0.4 s for a copied ingest, keeping segments near 2 s and a keyframe every part', () => {
    expect(copiedPartTiming({ partSeconds: 1 / 3, partsPerSegment: 6, keyframeParts: 1 }, at30)).toEqual({
      partSeconds: 0.4,
      partsPerSegment: 5,
      keyframeParts: 1,
    });
  });

  it('keeps a part that is already even in milliseconds and 30 fps frames, and keyframes that divide segments', () => {
    expect(copiedPartTiming({ partSeconds: 0.2, partsPerSegment: 10, keyframeParts: 2 }, at30)).toEqual({
      partSeconds: 0.2,
      partsPerSegment: 10,
      keyframeParts: 2,
    });
    // 0.25 s × 8 = 2 s: 0.4 s parts, 5 a segment; a keyframe every 4 parts no longer divides 5.
    expect(copiedPartTiming({ partSeconds: 0.25, partsPerSegment: 8, keyframeParts: 4 }, at30)).toEqual({
      partSeconds: 0.4,
      partsPerSegment: 5,
      keyframeParts: 1,
    });
  });

  it('makes parts of whole source frames on whole milliseconds: 24 fps beside 30 fps rungs gets 0.5 s', () => {
    expect(copiedPartTiming(defaults, { source: 24, encoded: 30 })).toEqual({
      partSeconds: 0.5,
      partsPerSegment: 4,
      keyframeParts: 2,
    });
    // Encoded at 24 fps too: 0.25 s (6 frames).
    expect(copiedPartTiming(defaults, { source: 24, encoded: 24 }).partSeconds).toBe(0.25);
    for (const source of [25, 30, 50, 60])
      expect(copiedPartTiming(defaults, { source, encoded: 30 })).toEqual(defaults);
  });

  it('cuts a source of unknown rate as a 30 fps one', () => {
    expect(copiedPartTiming(defaults, { encoded: 30 })).toEqual(defaults);
  });

  it('gives a copied rung at a fractional rate parts of whole frames dividing its 2 s keyframe interval', () => {
    const ntsc = 30000 / 1001;
    // 29.97 fps: 6 frames (0.2002 s), ten a segment; the encoded rungs keep 0.2 s.
    const t = copiedPartTiming(defaults, { source: ntsc, encoded: 30 });
    expect(t).toEqual({ ...defaults, copiedPart: { frames: 6, fps: ntsc, partsPerSegment: 10 } });
    expect(copiedPartTarget(t.copiedPart!)).toBe(0.201);
    // 59.94 fps: 12 frames; 23.976 fps: 5 frames would not divide 48, so 6 (0.25 s), eight a segment.
    expect(copiedPartTiming(defaults, { source: 2 * ntsc, encoded: 30 }).copiedPart).toMatchObject({
      frames: 12,
      partsPerSegment: 10,
    });
    const film = copiedPartTiming(defaults, { source: 24000 / 1001, encoded: 30 }).copiedPart!;
    expect(film).toMatchObject({ frames: 6, partsPerSegment: 8 });
    expect(copiedPartTarget(film)).toBe(0.251);
    // A rate read off the SPS a hair from a whole number is that number.
    expect(copiedPartTiming(defaults, { source: 30.0000001, encoded: 30 })).toEqual(defaults);
  });
});

describe("an ingest's copied rung in the ffmpeg command", () => {
  it('is written as a fragment at every frame ffmpeg can cut at, for the transcoder to cut into parts; the encoded rungs are cut by ffmpeg', () => {
    const cmd = buildFfmpegCommand({
      ...base,
      flvUrl: 'tcp://127.0.0.1:50100?listen=1&listen_timeout=10000',
      partSeconds: 0.2,
      renditions: planLadder(DEFAULT_LADDER, ingest(720), 'source'),
    });
    const arg = (o: { args: string[] }, name: string) => o.args[o.args.indexOf(name) + 1];
    expect(cmd.outputs[0].args.slice(0, 4)).toEqual(['-map', '0:v:0', '-c:v', 'copy']);
    // Under a frame's length at up to 100 fps; 2 s of fragments listed at 60 fps.
    expect(cmd.outputs.slice(0, 3).map((o) => arg(o, '-hls_time'))).toEqual(['0.005', '0.2', '0.2']);
    expect(cmd.outputs.slice(0, 3).map((o) => arg(o, '-hls_list_size'))).toEqual(['120', '12', '12']);
  });
});
