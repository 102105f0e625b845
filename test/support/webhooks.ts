import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { useFixture } from './fixture';
import { bearer, type TestApp, type TestUser, useTestApp } from './test-app';

/** A request a webhook receiver got. */
export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface WebhookReceiver {
  url: string;
  /** Every request, in arrival order. */
  got: Received[];
  /** Paths answered 503 (a test may add and remove them). */
  failing: Set<string>;
  close(): Promise<void>;
}

/**
 * A webhook receiver on 127.0.0.1 that records every request and answers 204, or 503 to a path in
 * `failing` or when `fails(path, attempt)` holds (`attempt`: 1 for a delivery's first try, counted by
 * its X-Livecart-Delivery id).
 */
export async function webhookReceiver(
  fails: (path: string, attempt: number) => boolean = () => false,
): Promise<WebhookReceiver> {
  const got: Received[] = [];
  const failing = new Set<string>();
  const tries = new Map<string, number>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const path = req.url ?? '';
      got.push({ path, headers: req.headers, body });
      const id = String(req.headers['x-livecart-delivery']);
      const attempt = (tries.get(id) ?? 0) + 1;
      tries.set(id, attempt);
      res.writeHead(failing.has(path) || fails(path, attempt) ? 503 : 204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    got,
    failing,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** For a describe block: a webhookReceiver, started before its tests and closed after them (see useFixture). */
export const useWebhookReceiver = (): WebhookReceiver =>
  useFixture(
    'useWebhookReceiver',
    () => webhookReceiver(),
    (rx) => rx.close(),
  );

/** For a describe block: an app (no Redis, `env` added) that may deliver webhooks to loopback, and a receiver there. */
export function useWebhookApp(env: Record<string, string> = {}): { t: TestApp; rx: WebhookReceiver } {
  return {
    t: useTestApp({ redis: false, env: { WEBHOOK_ALLOW_PRIVATE: 'true', ...env } }),
    rx: useWebhookReceiver(),
  };
}

/** Registers a webhook of `merchant` for `events` at `url`; the test checks the reply. */
export function registerWebhook(t: TestApp, merchant: TestUser, url: string, events: string[]) {
  return t.http.post('/api/merchant/webhooks').set(bearer(merchant)).send({ url, events });
}
