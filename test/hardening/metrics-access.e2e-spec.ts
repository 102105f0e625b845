import { bearer, useTestApp } from '../support/test-app';

/**
 * /metrics carries business counters (orders, GMV-related, viewers) and was
 * public. Now: with METRICS_TOKEN, the bearer token is required; without it,
 * only a direct request from this host (not one relayed by a proxy).
 */
describe('/metrics access', () => {
  describe('without METRICS_TOKEN', () => {
    const t = useTestApp({ redis: false });

    it('answers a direct request from this host', async () => {
      const res = await t.http.get('/metrics').expect(200);
      expect(res.text).toContain('livecart_http_requests_total');
    });

    it('refuses a request relayed by a proxy on this host (anyone behind it)', async () => {
      const res = await t.http.get('/metrics').set('X-Forwarded-For', '203.0.113.5').expect(403);
      expect(res.body.error.message).toMatch(/METRICS_TOKEN/);
      expect(res.text).not.toContain('livecart_');
    });
  });

  describe('with METRICS_TOKEN', () => {
    const token = 'a-metrics-token-of-some-length';
    const t = useTestApp({ redis: false, env: { METRICS_TOKEN: token } });

    it('needs the token, from anywhere', async () => {
      await t.http.get('/metrics').expect(401);
      await t.http.get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
      const user = await t.user('admin');
      await t.http.get('/metrics').set(bearer(user)).expect(401);
      await t.http
        .get('/metrics')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Forwarded-For', '203.0.113.5')
        .expect(200);
    });
  });
});
