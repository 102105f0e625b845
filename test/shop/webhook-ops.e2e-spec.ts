import { eventually } from '../support/wait';
import { verifyWebhook } from '../../src/common/crypto/webhook-signature';
import { bearer, type TestUser } from '../support/test-app';
import { registerWebhook, useWebhookApp } from '../support/webhooks';

/** What a merchant's webhooks page needs beyond add and list: send a test, see it, retry a failed delivery. */
describe('webhooks: test-send and retry', () => {
  const { t, rx } = useWebhookApp({ WEBHOOK_BACKOFF_MS: '50', WEBHOOK_MAX_ATTEMPTS: '2' });
  let merchant: TestUser;

  beforeAll(async () => {
    merchant = await t.user('merchant');
  });

  const register = async (path: string) =>
    (await registerWebhook(t, merchant, `${rx.url}${path}`, ['order.paid']).expect(201)).body as {
      id: string;
      secret: string;
    };

  it('sends a signed test event now and answers with how it went', async () => {
    const hook = await register('/ok');
    const res = await t.http.post(`/api/merchant/webhooks/${hook.id}/test`).set(bearer(merchant)).expect(200);
    expect(res.body).toMatchObject({
      event: 'webhook.test',
      status: 'succeeded',
      attempts: 1,
      lastStatusCode: 204,
    });
    const got = rx.got.find((g) => g.path === '/ok')!;
    expect(JSON.parse(got.body)).toMatchObject({ type: 'webhook.test', data: { webhookId: hook.id } });
    expect(() =>
      verifyWebhook(
        hook.secret,
        Buffer.from(got.body),
        got.headers['x-livecart-signature'],
        Math.floor(Date.now() / 1000),
        300,
      ),
    ).not.toThrow();
    const log = await t.http
      .get(`/api/merchant/webhooks/${hook.id}/deliveries`)
      .set(bearer(merchant))
      .expect(200);
    expect(log.body.items[0]).toMatchObject({ id: res.body.id, event: 'webhook.test' });
  });

  it('records a failed test, and retries a failed delivery once the endpoint is back', async () => {
    const hook = await register('/flaky');
    rx.failing.add('/flaky');
    const failed = await t.http
      .post(`/api/merchant/webhooks/${hook.id}/test`)
      .set(bearer(merchant))
      .expect(200);
    expect(failed.body).toMatchObject({ status: 'failed', lastStatusCode: 503 });

    rx.failing.delete('/flaky');
    const retry = await t.http
      .post(`/api/merchant/webhooks/${hook.id}/deliveries/${failed.body.id}/retry`)
      .set(bearer(merchant))
      .expect(202);
    expect(retry.body.status).toBe('pending');
    await eventually(async () => {
      const log = await t.http.get(`/api/merchant/webhooks/${hook.id}/deliveries`).set(bearer(merchant));
      return log.body.items[0].status === 'succeeded';
    });
    const twice = await t.http
      .post(`/api/merchant/webhooks/${hook.id}/deliveries/${failed.body.id}/retry`)
      .set(bearer(merchant))
      .expect(409);
    expect(twice.body.error.message).toBe('This delivery already succeeded; there is nothing to retry.');
  });

  it('keeps other merchants out', async () => {
    const hook = await register('/ok');
    const other = await t.user('merchant');
    await t.http.post(`/api/merchant/webhooks/${hook.id}/test`).set(bearer(other)).expect(403);
    const res = await t.http.post(`/api/merchant/webhooks/${hook.id}/test`).set(bearer(merchant)).expect(200);
    await t.http
      .post(`/api/merchant/webhooks/${hook.id}/deliveries/${res.body.id}/retry`)
      .set(bearer(other))
      .expect(403);
    const unknown = '00000000-0000-4000-8000-000000000000';
    await t.http
      .post(`/api/merchant/webhooks/${hook.id}/deliveries/${unknown}/retry`)
      .set(bearer(merchant))
      .expect(404);
  });
});
