/**
 * Headless WebRTC peers for the media tests: @roamhq/wrtc is libwebrtc built
 * as a Node add-on (shipped inside npm), so WHIP publishing and WHEP viewing
 * are exercised by a real WebRTC stack, not by hand-written RTP.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const wrtc = require('@roamhq/wrtc') as {
  RTCPeerConnection: typeof RTCPeerConnection;
  MediaStream: typeof MediaStream;
  nonstandard: {
    RTCVideoSource: new () => {
      createTrack(): MediaStreamTrack;
      onFrame(f: { width: number; height: number; data: Uint8ClampedArray }): void;
    };
    RTCAudioSource: new () => {
      createTrack(): MediaStreamTrack;
      onData(d: {
        samples: Int16Array;
        sampleRate: number;
        bitsPerSample: number;
        channelCount: number;
        numberOfFrames: number;
      }): void;
    };
    RTCVideoSink: new (track: MediaStreamTrack) => {
      onframe: ((e: { frame: { width: number; height: number } }) => void) | null;
      stop(): void;
    };
  };
};

function gathered(pc: RTCPeerConnection): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState === 'complete') resolve();
    });
    setTimeout(resolve, 5000);
  });
}

export async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface Publisher {
  pc: RTCPeerConnection;
  /** The offer, after ICE gathering (a non-trickle WHIP client). */
  offer(): Promise<string>;
  answer(sdp: string): Promise<void>;
  close(): void;
}

/** A publisher sending a synthetic 320x240 video (30 fps) and silence (Opus). */
export function createPublisher(opts: { width?: number; height?: number } = {}): Publisher {
  const width = opts.width ?? 320;
  const height = opts.height ?? 240;
  const pc = new wrtc.RTCPeerConnection();
  const video = new wrtc.nonstandard.RTCVideoSource();
  const audio = new wrtc.nonstandard.RTCAudioSource();
  const vt = video.createTrack();
  const at = audio.createTrack();
  const stream = new wrtc.MediaStream([at, vt]);
  pc.addTransceiver(at, { direction: 'sendonly', streams: [stream] });
  pc.addTransceiver(vt, { direction: 'sendonly', streams: [stream] });
  const frame = new Uint8ClampedArray(width * height * 1.5);
  let n = 0;
  const vTimer = setInterval(() => {
    // A moving gradient so the encoder has real work and keyframes differ.
    n++;
    for (let i = 0; i < width * height; i += 7) frame[i] = (i + n * 8) & 0xff;
    video.onFrame({ width, height, data: frame });
  }, 33);
  const samples = new Int16Array(480);
  const aTimer = setInterval(
    () =>
      audio.onData({ samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1, numberOfFrames: 480 }),
    10,
  );
  return {
    pc,
    async offer() {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      return pc.localDescription!.sdp;
    },
    async answer(sdp: string) {
      await pc.setRemoteDescription({ type: 'answer', sdp });
    },
    close() {
      clearInterval(vTimer);
      clearInterval(aTimer);
      vt.stop();
      at.stop();
      pc.close();
    },
  };
}

export interface Viewer {
  pc: RTCPeerConnection;
  offer(): Promise<string>;
  answer(sdp: string): Promise<void>;
  /** Decoded video frames so far, and the last frame's size. */
  frames(): number;
  lastSize(): { width: number; height: number } | undefined;
  audioTracks(): number;
  close(): void;
}

/** A WHEP viewer that decodes the video it receives. */
export function createViewer(): Viewer {
  const pc = new wrtc.RTCPeerConnection();
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  let frames = 0;
  let audio = 0;
  let size: { width: number; height: number } | undefined;
  const sinks: { stop(): void }[] = [];
  pc.addEventListener('track', (e: RTCTrackEvent) => {
    if (e.track.kind === 'audio') audio++;
    if (e.track.kind !== 'video') return;
    const sink = new wrtc.nonstandard.RTCVideoSink(e.track);
    sink.onframe = ({ frame }) => {
      frames++;
      size = { width: frame.width, height: frame.height };
    };
    sinks.push(sink);
  });
  return {
    pc,
    async offer() {
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      return pc.localDescription!.sdp;
    },
    async answer(sdp: string) {
      await pc.setRemoteDescription({ type: 'answer', sdp });
    },
    frames: () => frames,
    lastSize: () => size,
    audioTracks: () => audio,
    close() {
      for (const s of sinks) s.stop();
      pc.close();
    },
  };
}
