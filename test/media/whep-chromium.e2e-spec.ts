import * as sdpTransform from 'sdp-transform';
import { SfuHost } from '../../src/streams/ingest/sfu.provider';
import { useChromium, watchOverWhep, webrtcPage } from '../support/browser';
import { publishOverWhip, type Peers } from '../support/ingest';
import { createStream } from '../support/streams';
import { useTestApp } from '../support/test-app';
import { sleep } from '../support/wait';

const TWCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';

interface InboundStats {
  packetsReceived?: number;
  framesDecoded?: number;
  frameWidth?: number;
  frameHeight?: number;
}

/**
 * An unmodified browser WHEP player: Chromium makes a recvonly offer, POSTs it
 * to /whep and applies the answer, with nothing rewritten on either side. The
 * publisher is the wrtc one of whip-whep.e2e-spec.ts.
 */
describe('WHEP playback in Chromium', () => {
  const browser = useChromium();
  const t = useTestApp({ env: { MEDIASOUP_NUM_WORKERS: '1' } });
  const peers: Peers = [];

  afterEach(() => {
    for (const p of peers.splice(0)) p.close();
  });

  async function liveStream(): Promise<string> {
    const stream = await createStream(t, await t.user('streamer'), { title: 'Chromium viewer' });
    await publishOverWhip(t, stream, peers);
    return stream.id;
  }

  it('decodes the video and receives the audio of a live stream', async () => {
    const streamId = await liveStream();
    const page = await webrtcPage(browser, t);
    const posted = await watchOverWhep(page, streamId);
    expect(posted).toEqual({
      status: 201,
      location: expect.stringMatching(/^\/whep\//),
      offer: expect.any(String),
      answer: expect.any(String),
    });

    const inbound = () =>
      page.evaluate(async () => {
        const pc = (window as unknown as { pc: RTCPeerConnection }).pc;
        const out: { state: string; audio?: InboundStats; video?: InboundStats } = {
          state: pc.connectionState,
        };
        (await pc.getStats()).forEach((s: { type: string; kind?: string } & InboundStats) => {
          if (s.type === 'inbound-rtp' && (s.kind === 'audio' || s.kind === 'video')) out[s.kind] = s;
        });
        return out;
      });
    let stats = await inbound();
    for (const t0 = Date.now(); (stats.video?.framesDecoded ?? 0) <= 5 && Date.now() - t0 < 15_000;) {
      await sleep(200);
      stats = await inbound();
    }
    expect(stats.state).toBe('connected');
    expect(stats.video?.framesDecoded).toBeGreaterThan(5);
    expect([stats.video?.frameWidth, stats.video?.frameHeight]).toEqual([320, 240]);
    expect(stats.audio?.packetsReceived).toBeGreaterThan(0);

    // The answer keeps Chromium's own header extension ids (transport-wide-cc 3, mid 4, ...,
    // not mediasoup's 5 and 1), so Chromium sends transport-cc feedback and the viewer's
    // transport estimates its bandwidth.
    const extIds = (sdp: string) =>
      Object.fromEntries(
        (sdpTransform.parse(sdp).media.find((m) => m.type === 'video')?.ext ?? []).map((e) => [
          e.uri,
          e.value,
        ]),
      );
    const offered = extIds(posted.offer);
    const answered = extIds(posted.answer);
    expect(answered[TWCC]).toBe(offered[TWCC]);
    expect(answered[TWCC]).not.toBe(5);
    expect(answered['urn:ietf:params:rtp-hdrext:sdes:mid']).toBe(
      offered['urn:ietf:params:rtp-hdrext:sdes:mid'],
    );
    for (const [uri, id] of Object.entries(answered)) expect([uri, id]).toEqual([uri, offered[uri]]);
    const media = t.app.get(SfuHost).sfu!.room(streamId)!.viewerMedia(posted.location!.split('/').pop()!)!;
    expect((await media.transport.getStats())[0].availableOutgoingBitrate).toBeGreaterThan(0);
    await page.close();
  });
});
