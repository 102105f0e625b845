import { feederArgs, inputCodecsFromStderr, srtRemuxArgs, type FeederOptions } from './args';

const base: FeederOptions = {
  video: {
    mode: 'copy',
    rtp: { host: '127.0.0.1', port: 40002, rtcpPort: 40003 },
    payloadType: 102,
    ssrc: 1234,
  },
  audio: {
    rtp: { host: '127.0.0.1', port: 40010, rtcpPort: 40011 },
    payloadType: 111,
    ssrc: 5678,
    bitrate: 128000,
  },
};
const after = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

describe('feeder command', () => {
  it('copies the H.264 as Annex B (SPS/PPS before every keyframe) and sends RTP with our SSRC and payload type', () => {
    const argv = feederArgs(base);
    expect(argv.slice(argv.indexOf('-f'), argv.indexOf('-f') + 4)).toEqual(['-f', 'flv', '-i', 'pipe:0']);
    expect(argv).toEqual(expect.arrayContaining(['-c:v', 'copy', '-bsf:v', 'h264_mp4toannexb']));
    expect(argv).not.toContain('libx264');
    expect(argv).toContain('rtp://127.0.0.1:40002?rtcpport=40003&pkt_size=1200');
    expect(argv.join(' ')).toContain('-f rtp -payload_type 102 -ssrc 1234 rtp://127.0.0.1:40002');
    // No -fflags nobuffer: it would drop what probing read, the first keyframe among it.
    expect(argv.join(' ')).not.toContain('nobuffer');
  });

  it('turns AAC into 48 kHz stereo Opus in 20 ms frames', () => {
    const argv = feederArgs(base).join(' ');
    expect(argv).toContain('-map 0:a:0 -c:a libopus -b:a 128000 -ar 48000 -ac 2 -frame_duration 20');
    expect(argv).toContain('-payload_type 111 -ssrc 5678 rtp://127.0.0.1:40010?rtcpport=40011&pkt_size=1200');
  });

  it('re-encodes without B-frames, constrained baseline, a keyframe per GOP, when asked', () => {
    const argv = feederArgs({
      ...base,
      video: {
        ...base.video,
        mode: 'reencode',
        reencode: { preset: 'veryfast', bitrate: 2_500_000, gopFrames: 30 },
      },
    });
    expect(after(argv, '-c:v')).toBe('libx264');
    expect(after(argv, '-bf')).toBe('0');
    expect(after(argv, '-profile:v')).toBe('baseline');
    expect(after(argv, '-tune')).toBe('zerolatency');
    expect(after(argv, '-g')).toBe('30');
    expect(after(argv, '-maxrate')).toBe('3000000');
    expect(argv).not.toContain('h264_mp4toannexb');
    expect(() => feederArgs({ ...base, video: { ...base.video, mode: 'reencode' } })).toThrow(/reencode/);
  });

  it('sends no audio when the encoder has none, and brackets IPv6 hosts', () => {
    const argv = feederArgs({ video: { ...base.video, rtp: { host: '::1', port: 5000, rtcpPort: 5001 } } });
    expect(argv).not.toContain('0:a:0');
    expect(argv).toContain('rtp://[::1]:5000?rtcpport=5001&pkt_size=1200');
  });
});

describe('SRT remux command', () => {
  it('reads MPEG-TS on stdin; writes the video as FLV on stdout and the audio, if any, on fd 3', () => {
    const argv = srtRemuxArgs().join(' ');
    expect(argv).toContain('-f mpegts -i pipe:0 -map 0:v:0 -c copy -f flv');
    expect(argv).toMatch(/-map 0:v:0 [^|]* pipe:1 -map 0:a:0\? -c copy -f flv [^|]* pipe:3$/);
  });

  it('reads the input codecs ffmpeg printed', () => {
    const stderr = [
      "Input #0, mpegts, from 'pipe:0':",
      '  Stream #0:0[0x100]: Video: hevc (Main) ([36][0][0][0] / 0x0024), yuv420p(tv), 320x240, 30 fps',
      '  Stream #0:1[0x101](und): Audio: mp2 ([3][0][0][0] / 0x0003), 48000 Hz, stereo, fltp, 384 kb/s',
      '  Stream #0:2[0x102]: Audio: aac (LC), 48000 Hz',
    ];
    expect(inputCodecsFromStderr(stderr)).toEqual({ video: 'hevc', audio: 'mp2' });
    expect(inputCodecsFromStderr(['nothing'])).toEqual({});
  });
});
