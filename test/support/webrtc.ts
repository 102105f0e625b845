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

/** The offer/answer half every peer here shares: a non-trickle client (the offer waits for ICE gathering). */
interface Negotiating {
  pc: RTCPeerConnection;
  /** The offer, after ICE gathering. */
  offer(): Promise<string>;
  answer(sdp: string): Promise<void>;
}

function negotiating(pc: RTCPeerConnection): Negotiating {
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
  };
}

export interface Publisher extends Negotiating {
  /** Changes the camera's resolution mid-stream: the next frame has the new size. */
  resize(width: number, height: number): void;
  close(): void;
}

/** A publisher sending a synthetic video (320x240 unless told, 30 fps) and silence (Opus). */
export function createPublisher(
  size: { width: number; height: number } = { width: 320, height: 240 },
): Publisher {
  let { width, height } = size;
  const pc = new wrtc.RTCPeerConnection();
  const video = new wrtc.nonstandard.RTCVideoSource();
  const audio = new wrtc.nonstandard.RTCAudioSource();
  const vt = video.createTrack();
  const at = audio.createTrack();
  const stream = new wrtc.MediaStream([at, vt]);
  pc.addTransceiver(at, { direction: 'sendonly', streams: [stream] });
  pc.addTransceiver(vt, { direction: 'sendonly', streams: [stream] });
  let frame = new Uint8ClampedArray(width * height * 1.5);
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
    ...negotiating(pc),
    resize(w: number, h: number) {
      width = w;
      height = h;
      frame = new Uint8ClampedArray(w * h * 1.5);
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

export interface Viewer extends Negotiating {
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
    ...negotiating(pc),
    frames: () => frames,
    lastSize: () => size,
    audioTracks: () => audio,
    close() {
      for (const s of sinks) s.stop();
      pc.close();
    },
  };
}
