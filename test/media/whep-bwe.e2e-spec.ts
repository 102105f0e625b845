import { execFileSync } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import * as sdpTransform from 'sdp-transform';
import type { types } from 'mediasoup';
import { SfuHost } from '../../src/streams/ingest/sfu.provider';
import { launchChromium, watchOverWhep, webrtcPage, type InPageNegotiate } from '../support/browser';
import { publishOverWhip, viewOverWhep, type Peers } from '../support/ingest';
import { createStream } from '../support/streams';
import { startTestApp, type TestApp } from '../support/test-app';
import { eventually, sleep } from '../support/wait';

const TWCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';
const MID = 'urn:ietf:params:rtp-hdrext:sdes:mid';
const AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/**
 * Limits what one UDP port sends to another on loopback to `kbit` kbit/s with a
 * queue of `queuePackets` (drops past it), like a viewer on a slow link. Both
 * ports: every transport of a mediasoup worker sends from the worker's one
 * WebRtcServer port, so the viewer's port tells one viewer's flow apart. Needs
 * root in the test's network namespace (scripts/test-media.sh runs jest in one).
 * Returns the undo.
 */
function shapeFromPort(port: number, toPort: number, kbit: number, queuePackets: number): () => void {
  const tc = (...args: string[]) => execFileSync('tc', args, { stdio: 'pipe' });
  try {
    tc('qdisc', 'del', 'dev', 'lo', 'root'); // a leftover of an interrupted run
  } catch {
    // none: the usual case
  }
  // Unclassified traffic (`default 0`) bypasses HTB: only the filtered port is limited.
  tc('qdisc', 'add', 'dev', 'lo', 'root', 'handle', '1:', 'htb', 'default', '0');
  tc(
    'class',
    'add',
    'dev',
    'lo',
    'parent',
    '1:',
    'classid',
    '1:20',
    'htb',
    'rate',
    `${kbit}kbit`,
    'ceil',
    `${kbit}kbit`,
  );
  tc('qdisc', 'add', 'dev', 'lo', 'parent', '1:20', 'handle', '20:', 'pfifo', 'limit', String(queuePackets));
  tc(
    'filter',
    'add',
    'dev',
    'lo',
    'parent',
    '1:',
    'protocol',
    'ip',
    'prio',
    '1',
    'u32',
    'match',
    'ip',
    'protocol',
    '17',
    '0xff',
    'match',
    'ip',
    'sport',
    String(port),
    '0xffff',
    'match',
    'ip',
    'dport',
    String(toPort),
    '0xffff',
    'flowid',
    '1:20',
  );
  return () => tc('qdisc', 'del', 'dev', 'lo', 'root');
}

/** The answer's extmap ids by URI for one m-line kind. */
function extIds(sdp: string, kind: 'audio' | 'video'): Record<string, number> {
  const m = sdpTransform.parse(sdp).media.find((x) => x.type === kind);
  return Object.fromEntries((m?.ext ?? []).map((e) => [e.uri, e.value]));
}

/**
 * mediasoup's downlink bandwidth estimation for WHEP viewers: a viewer's
 * offer numbers its header extensions its own way (libwebrtc: abs-send-time
 * 2, transport-wide-cc 3, sdes:mid 4), the answer keeps those ids and the
 * patched worker sends them, so the viewer sends transport-cc feedback and
 * the viewer's WebRtcTransport estimates its bandwidth; a simulcast consumer
 * then forwards the layer that estimate allows.
 */
describe('WHEP bandwidth estimation and simulcast layers', () => {
  let t: TestApp;
  let browser: Browser;
  const peers: Peers = [];

  beforeAll(async () => {
    t = await startTestApp({ env: { MEDIASOUP_NUM_WORKERS: '1' } });
    // Three simulcast layers from a 640x480 camera: libwebrtc otherwise caps the layer
    // count by resolution (3 layers only from 960x540 up).
    browser = await launchChromium(['--force-fieldtrials=WebRTC-LegacySimulcastLayerLimit/Disabled/']);
  });
  afterEach(() => {
    for (const p of peers.splice(0)) p.close();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const sfu = () => t.app.get(SfuHost).sfu!;

  const newStream = async () => createStream(t, await t.user('streamer'), { title: 'BWE' });

  /** A wrtc WHEP viewer and the SFU's media of its session. */
  async function view(streamId: string) {
    const { viewer, location, offer, answer } = await viewOverWhep(t, streamId, peers);
    const media = sfu().room(streamId)!.viewerMedia(location.split('/').pop()!)!;
    return { viewer, offer, answer, media };
  }

  const videoConsumer = (media: { consumers: readonly types.Consumer[] }) =>
    media.consumers.find((c) => c.kind === 'video')!;

  /** A live stream from a wrtc publisher (320x240 VP8 + Opus). */
  async function publishWrtc(stream: { id: string; streamKey: string }): Promise<void> {
    await publishOverWhip(t, stream, peers);
  }

  /**
   * Transport-cc feedback reaches the viewer transport's estimator: a short lossy
   * bottleneck shows up as loss in the feedback (rtpPacketLossSent comes from
   * transport-cc feedback only) and the estimate follows it down. Once the bottleneck
   * is gone, the estimator probes to find the room again, and the viewer acknowledges
   * the probes: no loss is reported on the free link while the probes go out, and the
   * estimate climbs back. (mediasoup's own probation packets, SSRC 1234 with mid
   * "probator", are dropped by a viewer without mediasoup-client's probator m-line,
   * and each probe then read as loss: the patched worker sends them as RTX padding.)
   */
  async function expectTransportCcFeedback(transport: types.WebRtcTransport): Promise<void> {
    const stats = async () => (await transport.getStats())[0];
    expect((await stats()).availableOutgoingBitrate).toBeGreaterThan(0);
    const tuple = transport.iceSelectedTuple!;
    const unshape = shapeFromPort(tuple.localPort, tuple.remotePort!, 150, 10);
    let s = await stats();
    try {
      for (const t0 = Date.now(); Date.now() - t0 < 15_000;) {
        s = await stats();
        if ((s.rtpPacketLossSent ?? 0) > 0 && (s.availableOutgoingBitrate ?? Infinity) < 600_000) break;
        await sleep(250);
      }
      expect(s.rtpPacketLossSent).toBeGreaterThan(0);
      expect(s.availableOutgoingBitrate).toBeLessThan(600_000);
    } finally {
      unshape();
    }

    // The free link: wait until the shaped queue's loss has left the feedback, then
    // watch the probes.
    const low = s.availableOutgoingBitrate!;
    await eventually(async () => ((await stats()).rtpPacketLossSent ?? 0) === 0, 10_000, 'loss clears');
    const probedBefore = (await stats()).probationBytesSent;
    const lossWhileProbing: number[] = [];
    for (const t0 = Date.now(); Date.now() - t0 < 20_000;) {
      s = await stats();
      if (s.probationBytesSent > probedBefore) lossWhileProbing.push(s.rtpPacketLossSent ?? 0);
      if (lossWhileProbing.length >= 8 && s.availableOutgoingBitrate! > 2 * low) break;
      await sleep(250);
    }
    // Whether the estimator probes in this window is its choice (seen in CI: a Chromium viewer's
    // estimate came back without a probe); when it does, the viewer acknowledges every probe.
    expect(Math.max(0, ...lossWhileProbing)).toBe(0);
    expect(s.availableOutgoingBitrate).toBeGreaterThan(low);
  }

  it('answers with the viewer’s own extension ids and the viewer’s transport estimates its bandwidth', async () => {
    const stream = await newStream();
    await publishWrtc(stream);

    const { viewer, offer, answer, media } = await view(stream.id);
    // The viewer's numbers (libwebrtc: not mediasoup's mid 1, abs-send-time 4, transport-wide-cc 5).
    const offeredVideo = extIds(offer, 'video');
    const offeredAudio = extIds(offer, 'audio');
    expect([offeredVideo[MID], offeredVideo[ABS_SEND_TIME], offeredVideo[TWCC]]).toEqual([4, 2, 3]);
    const video = extIds(answer, 'video');
    expect([video[MID], video[ABS_SEND_TIME], video[TWCC]]).toEqual([4, 2, 3]);
    for (const [uri, id] of Object.entries(video)) expect([uri, id]).toEqual([uri, offeredVideo[uri]]);
    const audio = extIds(answer, 'audio');
    expect([audio[MID], audio[AUDIO_LEVEL]]).toEqual([offeredAudio[MID], offeredAudio[AUDIO_LEVEL]]);
    expect(videoConsumer(media).rtpParameters.codecs[0].rtcpFeedback).toContainEqual(
      expect.objectContaining({ type: 'transport-cc' }),
    );

    // Video decodes: sdes:mid at the viewer's id 4 is what its BUNDLE demuxer routes by.
    await eventually(() => viewer.frames() > 10, 15_000, 'viewer decodes frames');
    expect(viewer.audioTracks()).toBe(1);

    await expectTransportCcFeedback(media.transport);
  });

  it('gets transport-cc feedback from a Chromium viewer, with Chromium’s own extension ids', async () => {
    const stream = await newStream();
    await publishWrtc(stream);
    const page = await webrtcPage(browser, t);
    try {
      const posted = await watchOverWhep(page, stream.id);
      expect(posted.status).toBe(201);
      const offered = extIds(posted.offer, 'video');
      const answered = extIds(posted.answer, 'video');
      expect(answered[TWCC]).toBe(offered[TWCC]);
      expect(answered[MID]).toBe(offered[MID]);
      expect(answered[ABS_SEND_TIME]).toBe(offered[ABS_SEND_TIME]);
      const media = sfu().room(stream.id)!.viewerMedia(posted.location!.split('/').pop()!)!;
      const decoded = () =>
        page.evaluate(async () => {
          let frames = 0;
          (await (window as unknown as { pc: RTCPeerConnection }).pc.getStats()).forEach(
            (s: { type: string; kind?: string; framesDecoded?: number }) => {
              if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded ?? 0;
            },
          );
          return frames;
        });
      for (const t0 = Date.now(); (await decoded()) <= 10 && Date.now() - t0 < 15_000;) await sleep(200);
      expect(await decoded()).toBeGreaterThan(10);
      await expectTransportCcFeedback(media.transport);
    } finally {
      await page.close();
    }
  });

  /** A Chromium WHIP publisher sending three VP8 simulcast layers (160x120, 320x240, 640x480) of noise. */
  async function publishSimulcast(stream: { id: string; streamKey: string }): Promise<Page> {
    const page = await webrtcPage(browser, t);
    const status = await page.evaluate(
      async ({ url, key }) => {
        // Noise on a canvas, so every layer costs what the encoder allots it (the fake camera's
        // flat picture would compress to almost nothing).
        const canvas = document.createElement('canvas');
        canvas.width = 640;
        canvas.height = 480;
        const ctx = canvas.getContext('2d')!;
        // A few noise frames made once and shown in turn: each differs from the one before (so
        // the encoder gets no cheap frame), while the page spends its CPU on drawing only. Made
        // fresh on every tick, the noise took a core of its own and left the encoder short on a
        // loaded machine, which then dropped its top layer's rate.
        const frames = Array.from({ length: 8 }, () => {
          const img = ctx.createImageData(640, 480);
          for (let i = 0; i < img.data.length; i += 4) {
            const v = (Math.random() * 255) | 0;
            img.data[i] = v;
            img.data[i + 1] = (v * 7) & 0xff;
            img.data[i + 2] = 128;
            img.data[i + 3] = 255;
          }
          return img;
        });
        let n = 0;
        setInterval(() => ctx.putImageData(frames[n++ % frames.length], 0, 0), 33);
        const track = canvas.captureStream(30).getVideoTracks()[0];
        const pc = new RTCPeerConnection();
        const transceiver = pc.addTransceiver(track, {
          direction: 'sendonly',
          sendEncodings: [
            { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 100_000 },
            { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 200_000 },
            { rid: 'f', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
          ],
        });
        // VP8 only: the router would pick H.264 from Chromium's offer, at numbers the Node
        // (libwebrtc M106) viewers do not use for it.
        transceiver.setCodecPreferences(
          RTCRtpReceiver.getCapabilities('video')!.codecs.filter((c) =>
            /^video\/(vp8|rtx)$/i.test(c.mimeType),
          ),
        );
        // Short of CPU, Chromium would otherwise scale its layers down (the top one first),
        // which is the publisher's choice, not the SFU's that this test is about.
        const params = transceiver.sender.getParameters() as RTCRtpSendParameters & {
          degradationPreference?: string;
        };
        params.degradationPreference = 'maintain-resolution';
        await transceiver.sender.setParameters(params);
        const { negotiate } = window as unknown as { negotiate: InPageNegotiate };
        const res = await negotiate(pc, url, { Authorization: `Bearer ${key}` });
        return res.status === 201 ? 'ok' : `${res.status} ${res.answer}`;
      },
      { url: `/whip/${stream.id}`, key: stream.streamKey },
    );
    expect(status).toBe('ok');
    return page;
  }

  it('forwards to a viewer on a slow link a lower simulcast layer than to an unconstrained one', async () => {
    const stream = await newStream();
    const page = await publishSimulcast(stream);
    try {
      // All three layers arrive at the SFU.
      const producer = () =>
        sfu()
          .room(stream.id)
          ?.producers.find((p) => p.kind === 'video');
      await eventually(() => producer() !== undefined, 10_000, 'video producer');
      expect(producer()!.type).toBe('simulcast');
      // A link with room for the 160x120 and 320x240 layers (up to ~100 and ~200 kbit/s) but
      // not for the 640x480 one: 500 kbit/s when that layer runs at its usual 650+ kbit/s,
      // less when a CPU-starved Chromium publisher holds it lower (seen: 427 kbit/s in a CI
      // run). (A link far below the layer it starts on loses so much that the estimate can
      // fall under the lowest layer: mediasoup then pauses the video, which is not what this
      // test is about.)
      const linkKbitFor = (h: number, f: number) => Math.round(Math.max(300, Math.min(500, (h + f) / 2000)));
      let layers: types.ProducerStat[] = [];
      for (const t0 = Date.now(); Date.now() - t0 < 60_000;) {
        layers = await producer()!.getStats();
        const rate = (rid: string) => layers.find((l) => l.rid === rid)?.bitrate ?? 0;
        const flowing = rate('q') > 0 && rate('h') > rate('q');
        // Ramped up: the publisher's estimate lets every layer through (noise fills what it gets).
        if (flowing && rate('f') > 650_000) break;
        // A publisher short of CPU may never get there; after 30 s, a top layer far enough above
        // the link the test would choose will do. Below that (seen in CI: 359 kbit/s after 30 s)
        // no link fits between the layers, so it waits for the encoder to catch up.
        if (flowing && Date.now() - t0 > 30_000 && rate('f') > linkKbitFor(rate('h'), rate('f')) * 1000 * 1.2)
          break;
        await sleep(500);
      }
      const bitrates = Object.fromEntries(layers.map((l) => [l.rid, l.bitrate]));
      expect(Object.keys(bitrates).sort()).toEqual(['f', 'h', 'q']);

      const fast = await view(stream.id);
      const slow = await view(stream.id);
      await eventually(
        () => slow.media.transport.iceSelectedTuple !== undefined && fast.viewer.frames() > 0,
        15_000,
        'viewers connected',
      );
      const linkKbit = linkKbitFor(bitrates.h, bitrates.f);
      expect(bitrates.f).toBeGreaterThan(linkKbit * 1000 * 1.2);
      // A queue of 150 packets (seconds at these rates) turns the slow viewer's first burst on
      // the top layer into delay rather than a wall of loss: with 50, the loss estimate
      // sometimes fell to mediasoup's floor (30 kbit/s), under the lowest layer, and stayed there.
      const tuple = slow.media.transport.iceSelectedTuple!;
      const unshape = shapeFromPort(tuple.localPort, tuple.remotePort!, linkKbit, 150);
      try {
        const spatial = (v: { media: { consumers: readonly types.Consumer[] } }) =>
          videoConsumer(v.media).currentLayers?.spatialLayer ?? -1;
        const bwe = async (v: { media: { transport: types.WebRtcTransport } }) =>
          (await v.media.transport.getStats())[0].availableOutgoingBitrate ?? Infinity;
        // The estimate must have seen the shaped link (not only its starting value) at some
        // point: once down to the lower layer, it may climb back above the top layer's rate
        // while little flows, and probe again (seen in CI: slow viewer on layer 1 at 1.0 Mbit/s).
        let sawShapedLink = false;
        // What the slow viewer decodes follows mediasoup's switch after the link's queue
        // (seconds at this rate) and a keyframe of the new layer: seen 3-5 s, and over 10 s
        // on a loaded machine, hence the 45 s.
        for (const t0 = Date.now(); Date.now() - t0 < 45_000;) {
          const slowBwe = await bwe(slow);
          sawShapedLink ||= slowBwe < Math.min(bitrates.f, await bwe(fast));
          if (
            sawShapedLink &&
            spatial(fast) === 2 &&
            spatial(slow) >= 0 &&
            spatial(slow) < 2 &&
            (slow.viewer.lastSize()?.width ?? Infinity) < (fast.viewer.lastSize()?.width ?? 0)
          )
            break;
          await sleep(500);
        }
        const fastStats = (await fast.media.transport.getStats())[0];
        const slowStats = (await slow.media.transport.getStats())[0];
        const report = {
          producerBitrates: bitrates,
          fast: {
            spatial: spatial(fast),
            size: fast.viewer.lastSize(),
            bwe: fastStats.availableOutgoingBitrate,
          },
          slow: {
            spatial: spatial(slow),
            size: slow.viewer.lastSize(),
            bwe: slowStats.availableOutgoingBitrate,
          },
        };
        console.log(`simulcast layers per viewer: ${JSON.stringify(report)}`);
        expect(report.fast.spatial).toBe(2);
        expect(report.slow.spatial).toBeGreaterThanOrEqual(0);
        expect(report.slow.spatial).toBeLessThan(2);
        // What the viewers decode (Chromium may scale a layer down when short of CPU).
        expect(report.slow.size!.width).toBeLessThan(report.fast.size!.width);
        expect(sawShapedLink).toBe(true);
        expect(report.slow.bwe).toBeLessThan(report.fast.bwe!);
      } finally {
        unshape();
      }
    } finally {
      await page.close();
    }
    // The publisher's ramp (up to 60 s on a starved machine), the viewers (15 s), the switch (45 s).
  }, 150_000);
});
