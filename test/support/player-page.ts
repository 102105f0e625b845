/**
 * A WHEP player and an hls.js player in a Chromium page, self-contained (no
 * page of client-demo/ needed): the media tests and bench:ingest use them.
 */
import type { Page } from 'playwright-core';

export interface WhepResult {
  /** Video frames the page saw (requestVideoFrameCallback) and the decoder's stats. */
  frames: number;
  framesDecoded: number;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string;
  audioSamples: number;
  audioEnergy: number;
  /** Loudest RMS of the decoded audio seen through Web Audio (0: silence). */
  audioRms: number;
}

/** Plays a stream over WHEP for `seconds` and reports what decoded. */
export async function playWhep(page: Page, whepUrl: string, seconds: number): Promise<WhepResult> {
  return page.evaluate(
    async ([url, secs]) => {
      const pc = new RTCPeerConnection();
      pc.addTransceiver('video', { direction: 'recvonly' });
      pc.addTransceiver('audio', { direction: 'recvonly' });
      const video = document.createElement('video');
      video.muted = true;
      video.autoplay = true;
      document.body.append(video);
      const stream = new MediaStream();
      pc.ontrack = (e) => {
        stream.addTrack(e.track);
        video.srcObject = stream;
      };
      await pc.setLocalDescription(await pc.createOffer());
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/sdp' },
        body: pc.localDescription!.sdp,
      });
      if (res.status !== 201) throw new Error(`WHEP answered ${res.status}: ${await res.text()}`);
      await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
      void video.play().catch(() => undefined);
      let frames = 0;
      const onFrame = () => {
        frames++;
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
      // The decoded audio, measured through Web Audio (Chromium feeds a remote track to Web Audio
      // only while a media element plays it: the muted video does).
      let audioRms = 0;
      let wired = false;
      const ctx = new AudioContext();
      const analyser = ctx.createAnalyser();
      const buf = new Float32Array(analyser.fftSize);
      const sampler = setInterval(() => {
        const track = stream.getAudioTracks()[0];
        if (!track) return;
        if (!wired) {
          ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
          wired = true;
          void ctx.resume();
        }
        analyser.getFloatTimeDomainData(buf);
        audioRms = Math.max(audioRms, Math.sqrt(buf.reduce((a, x) => a + x * x, 0) / buf.length));
      }, 200);
      await new Promise((r) => setTimeout(r, secs * 1000));
      clearInterval(sampler);
      void ctx.close();
      const out = {
        audioRms,
        frames,
        framesDecoded: 0,
        width: 0,
        height: 0,
        videoCodec: '',
        audioCodec: '',
        audioSamples: 0,
        audioEnergy: 0,
      };
      const stats = await pc.getStats();
      const codecs = new Map<string, string>();
      stats.forEach((s: { type: string; id: string; mimeType?: string }) => {
        if (s.type === 'codec' && s.mimeType) codecs.set(s.id, s.mimeType);
      });
      stats.forEach(
        (s: {
          type: string;
          kind?: string;
          codecId?: string;
          framesDecoded?: number;
          frameWidth?: number;
          frameHeight?: number;
          totalSamplesReceived?: number;
          totalAudioEnergy?: number;
        }) => {
          if (s.type !== 'inbound-rtp') return;
          if (s.kind === 'video') {
            out.framesDecoded = s.framesDecoded ?? 0;
            out.width = s.frameWidth ?? 0;
            out.height = s.frameHeight ?? 0;
            out.videoCodec = codecs.get(s.codecId ?? '') ?? '';
          } else if (s.kind === 'audio') {
            out.audioSamples = s.totalSamplesReceived ?? 0;
            out.audioEnergy = s.totalAudioEnergy ?? 0;
            out.audioCodec = codecs.get(s.codecId ?? '') ?? '';
          }
        },
      );
      pc.close();
      video.remove();
      return out;
    },
    [whepUrl, seconds] as const,
  );
}

export interface HlsResult {
  /** Seconds of media played, and the frames painted meanwhile. */
  played: number;
  frames: number;
  width: number;
  height: number;
  /** The levels hls.js found in the master playlist: height and CODECS. */
  levels: { height: number; codecs: string }[];
  audio: boolean;
}

/** Adds hls.js (from node_modules) to the page. */
export async function loadHlsJs(page: Page): Promise<void> {
  await page.addScriptTag({ path: require.resolve('hls.js/dist/hls.min.js') });
}

/** Plays an HLS URL with hls.js in low-latency mode for `seconds`. */
export async function playHls(page: Page, url: string, seconds: number): Promise<HlsResult> {
  await loadHlsJs(page);
  return page.evaluate(
    async ([src, secs]) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- hls.js is a script tag here, untyped
      const H = (window as unknown as { Hls: any }).Hls;
      const video = document.createElement('video');
      video.muted = true;
      document.body.append(video);
      const hls = new H({ lowLatencyMode: true });
      hls.loadSource(src);
      hls.attachMedia(video);
      await new Promise<void>((resolve, reject) => {
        hls.on(H.Events.MANIFEST_PARSED, () => resolve());
        hls.on(H.Events.ERROR, (_: unknown, d: { fatal: boolean; details: string }) => {
          if (d.fatal) reject(new Error(`hls.js: ${d.details}`));
        });
      });
      void video.play().catch(() => undefined);
      let frames = 0;
      const onFrame = () => {
        frames++;
        video.requestVideoFrameCallback(onFrame);
      };
      video.requestVideoFrameCallback(onFrame);
      const t0 = video.currentTime;
      await new Promise((r) => setTimeout(r, secs * 1000));
      const out = {
        played: video.currentTime - t0,
        frames,
        width: video.videoWidth,
        height: video.videoHeight,
        levels: (hls.levels as { height: number; codecSet?: string; attrs?: { CODECS?: string } }[]).map(
          (l) => ({
            height: l.height,
            codecs: l.attrs?.CODECS ?? '',
          }),
        ),
        audio: (hls.levels as { audioCodec?: string }[]).some((l) => Boolean(l.audioCodec)),
      };
      hls.destroy();
      video.remove();
      return out;
    },
    [url, seconds] as const,
  );
}
