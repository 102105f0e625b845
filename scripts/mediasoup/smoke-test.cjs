'use strict';

// Smoke test run by ensure-worker.sh after installing the worker binary:
// create a worker, a router and a WebRtcTransport on 127.0.0.1, then close
// them. Resolves `mediasoup` from the project that contains scripts/mediasoup.
// Exits non-zero (with the reason on stderr) on any failure.

const path = require('node:path');

const projectRoot = process.argv[2] || path.resolve(__dirname, '..', '..');

async function main() {
  const mediasoup = require(require.resolve('mediasoup', { paths: [projectRoot] }));

  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  let died = null;

  worker.on('died', (error) => {
    died = error;
  });

  const router = await worker.createRouter({
    mediaCodecs: [
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
    ],
  });
  const transport = await router.createWebRtcTransport({
    listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
  });

  if (!transport.iceCandidates.length || !transport.dtlsParameters.fingerprints.length) {
    throw new Error('WebRtcTransport has no ICE candidate or no DTLS fingerprint');
  }

  // The node patch (patches/node/): a Consumer takes the receiver's header
  // extension ids (here a WHEP viewer's: mid 4, abs-send-time 2,
  // transport-wide-cc 3), and the worker accepts such a Consumer.
  const send = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
  const producer = await send.produce({
    kind: 'video',
    rtpParameters: {
      mid: '0',
      codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
      encodings: [{ ssrc: 1111 }],
    },
  });
  const ext = (uri, preferredId) => ({ kind: 'video', uri, preferredId });
  const consumer = await transport.consume({
    producerId: producer.id,
    rtpCapabilities: {
      codecs: [
        {
          kind: 'video',
          mimeType: 'video/VP8',
          preferredPayloadType: 96,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'transport-cc' }],
        },
      ],
      headerExtensions: [
        ext('urn:ietf:params:rtp-hdrext:sdes:mid', 4),
        ext('http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', 2),
        ext('http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01', 3),
      ],
    },
  });
  const ids = consumer.rtpParameters.headerExtensions.map((e) => e.id).join(',');
  if (ids !== '4,2,3') {
    throw new Error(
      `consumer header extension ids are [${ids}], not the receiver's [4,2,3]: ` +
        'patches/node/ is not applied to the installed mediasoup',
    );
  }
  send.close();

  const dump = await worker.dump();

  transport.close();
  router.close();
  worker.close();

  if (died) {
    throw died;
  }

  console.log(
    `mediasoup ${mediasoup.version}: worker pid ${worker.pid} (${mediasoup.workerBin}), ` +
      `router + WebRtcTransport ${transport.iceCandidates[0].address}:${transport.iceCandidates[0].port}/udp ok, ` +
      `consumer with the receiver's header extension ids ok, routers in dump: ${dump.routerIds.length}`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`smoke test failed: ${error && error.stack ? error.stack : error}`);
    process.exit(1);
  },
);
