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
      `routers in dump: ${dump.routerIds.length}`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`smoke test failed: ${error && error.stack ? error.stack : error}`);
    process.exit(1);
  },
);
