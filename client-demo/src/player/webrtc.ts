// Minimal standard WHIP/WHEP clients (RFC 9725 and WHEP): one POST of a
// complete offer (no trickle), then DELETE of the session URL.
import { ApiError } from '../api/errors';

/** Waits until ICE gathering completes (or at most `ms`), so the offer carries every candidate. */
function gathered(pc: RTCPeerConnection, ms = 2000): Promise<void> {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const done = (): void => {
      if (pc.iceGatheringState !== 'complete') return;
      pc.removeEventListener('icegatheringstatechange', done);
      resolve();
    };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, ms);
  });
}

async function negotiate(
  pc: RTCPeerConnection,
  url: string,
  headers: Record<string, string> = {},
): Promise<string> {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', ...headers },
    body: pc.localDescription?.sdp ?? '',
  });
  if (res.status !== 201) throw ApiError.fromBody(res.status, await res.json().catch(() => null));
  const location = new URL(res.headers.get('Location') ?? '', new URL(url, window.location.href)).toString();
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  return location;
}

export interface WhipSession {
  pc: RTCPeerConnection;
  stop(): Promise<void>;
  /**
   * For a page going away (pagehide): DELETE the session with `keepalive`, so the request
   * outlives the page. The server then waits for the publisher to come back (the stream turns
   * `reconnecting` at once) rather than ending the show.
   */
  leave(): void;
}

/** Publishes a MediaStream over WHIP with the stream key as bearer token. */
export async function whipPublish(url: string, streamKey: string, media: MediaStream): Promise<WhipSession> {
  const pc = new RTCPeerConnection();
  for (const track of media.getTracks())
    pc.addTransceiver(track, { direction: 'sendonly', streams: [media] });
  let location: string;
  try {
    location = await negotiate(pc, url, { Authorization: `Bearer ${streamKey}` });
  } catch (e) {
    pc.close();
    throw e;
  }
  // Keep the camera's size while the bandwidth estimate ramps up (lower the frame rate or
  // quality instead): every size change re-plans the HLS ladder, a discontinuity for viewers.
  for (const sender of pc.getSenders()) {
    if (sender.track?.kind !== 'video') continue;
    const params = sender.getParameters();
    params.degradationPreference = 'maintain-resolution';
    await sender.setParameters(params).catch(() => undefined);
  }
  return {
    pc,
    async stop() {
      pc.close();
      await fetch(location, { method: 'DELETE', headers: { Authorization: `Bearer ${streamKey}` } }).catch(
        () => undefined,
      );
    },
    leave() {
      fetch(location, {
        method: 'DELETE',
        keepalive: true,
        headers: { Authorization: `Bearer ${streamKey}` },
      }).catch(() => undefined);
      pc.close();
    },
  };
}

export interface WhepSession {
  pc: RTCPeerConnection;
  stream: MediaStream;
  stop(): void;
}

/** Plays a stream over WHEP into a MediaStream. */
export async function whepPlay(url: string): Promise<WhepSession> {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.addEventListener('track', (e) => stream.addTrack(e.track));
  let location: string;
  try {
    location = await negotiate(pc, url);
  } catch (e) {
    pc.close();
    throw e;
  }
  return {
    pc,
    stream,
    stop() {
      pc.close();
      fetch(location, { method: 'DELETE', keepalive: true }).catch(() => undefined);
    },
  };
}
