import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { newKey } from '../support/shop';
import type { TestApp, TestUser } from '../support/test-app';

export const auth = (u: { token: string }) => ({ Authorization: `Bearer ${u.token}` });

export const ADDRESS = {
  name: 'Ana Lima',
  line1: '12 Harbour Road',
  line2: 'Flat 3',
  city: 'Porto',
  region: null,
  postalCode: '4000-123',
  country: 'pt',
  phone: '+351 912 345 678',
};

/** Reserves `quantity` units of a product (no stream) and returns the order id. */
export async function placeOrder(
  t: TestApp,
  buyer: TestUser,
  productId: string,
  quantity = 1,
): Promise<string> {
  const res = await t.http
    .post('/api/orders')
    .set(auth(buyer))
    .set('Idempotency-Key', newKey())
    .send({ items: [{ productId, quantity }] })
    .expect(201);
  return res.body.id as string;
}

/** Starts a payment and has the simulated provider answer (`succeed`, `fail` or `cancel`). */
export async function pay(
  t: TestApp,
  buyer: TestUser,
  orderId: string,
  outcome: 'succeed' | 'fail' | 'cancel' = 'succeed',
): Promise<{ sessionId: string; orderStatus: string; paymentStatus: string }> {
  const start = await t.http.post(`/api/orders/${orderId}/pay`).set(auth(buyer)).expect(200);
  const sessionId = start.body.sessionId as string;
  const done = await t.http
    .post(`/api/payments/simulated/sessions/${sessionId}/pay`)
    .send({ outcome })
    .expect(200);
  return { sessionId, orderStatus: done.body.orderStatus, paymentStatus: done.body.paymentStatus };
}

export interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on 127.0.0.1; requests to a path in `failing` get 503, others 204. */
export async function receiver(): Promise<{
  url: string;
  got: Received[];
  failing: Set<string>;
  close: () => Promise<void>;
}> {
  const got: Received[] = [];
  const failing = new Set<string>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(failing.has(req.url ?? '') ? 503 : 204).end();
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
