/**
 * A WHIP publisher in its own process, so a test can kill it with SIGKILL:
 * no DTLS close alert, no DELETE, the peer simply vanishes. Reads the WHIP
 * endpoint and stream key from argv, prints "connected" once media flows.
 *   node -r ts-node/register/transpile-only test/support/publisher-process.ts <whipUrl> <streamKey>
 */
import { eventually } from './wait';
import { createPublisher } from './webrtc';

async function main(): Promise<void> {
  const [url, key] = process.argv.slice(2);
  const pub = createPublisher();
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/sdp', Authorization: `Bearer ${key}` },
    body: await pub.offer(),
  });
  if (res.status !== 201) throw new Error(`WHIP answered ${res.status}: ${await res.text()}`);
  await pub.answer(await res.text());
  await eventually(() => pub.pc.connectionState === 'connected', 10_000, 'connected');
  process.stdout.write('connected\n');
  setInterval(() => undefined, 1000);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e)}\n`);
  process.exit(1);
});
