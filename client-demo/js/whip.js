// Minimal standard WHIP/WHEP clients for the pages (RFC 9725 and WHEP):
// one POST of a complete offer (no trickle), then DELETE of the session URL.

/** Waits until ICE gathering completes (or at most `ms`), so the offer carries every candidate. */
function gathered(pc, ms = 2000) {
  return new Promise((resolve) => {
    if (pc.iceGatheringState === 'complete') return resolve();
    const done = () => {
      if (pc.iceGatheringState === 'complete') {
        pc.removeEventListener('icegatheringstatechange', done);
        resolve();
      }
    };
    pc.addEventListener('icegatheringstatechange', done);
    setTimeout(resolve, ms);
  });
}

async function negotiate(pc, url, headers = {}) {
  await pc.setLocalDescription(await pc.createOffer());
  await gathered(pc);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', ...headers },
    body: pc.localDescription.sdp,
  });
  if (res.status !== 201) {
    let message = `HTTP ${res.status}`;
    try {
      message = (await res.json()).error.message;
    } catch {
      /* not JSON */
    }
    const err = new Error(message);
    err.status = res.status;
    throw err;
  }
  const location = new URL(res.headers.get('Location'), new URL(url, window.location.href)).toString();
  await pc.setRemoteDescription({ type: 'answer', sdp: await res.text() });
  return location;
}

/** Publishes a MediaStream over WHIP. Returns { pc, stop() }. */
export async function whipPublish(url, streamKey, mediaStream) {
  const pc = new RTCPeerConnection();
  for (const track of mediaStream.getTracks())
    pc.addTransceiver(track, { direction: 'sendonly', streams: [mediaStream] });
  let location;
  try {
    location = await negotiate(pc, url, { Authorization: `Bearer ${streamKey}` });
  } catch (e) {
    pc.close();
    throw e;
  }
  return {
    pc,
    async stop() {
      pc.close();
      await fetch(location, { method: 'DELETE', headers: { Authorization: `Bearer ${streamKey}` } }).catch(
        () => undefined,
      );
    },
  };
}

/** Plays a stream over WHEP into a MediaStream. Returns { pc, stream, stop() }. */
export async function whepPlay(url) {
  const pc = new RTCPeerConnection();
  pc.addTransceiver('audio', { direction: 'recvonly' });
  pc.addTransceiver('video', { direction: 'recvonly' });
  const stream = new MediaStream();
  pc.addEventListener('track', (e) => stream.addTrack(e.track));
  let location;
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
