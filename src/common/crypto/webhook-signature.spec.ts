import { signWebhook, verifyWebhook } from './webhook-signature';

describe('webhook signatures', () => {
  const secret = 's'.repeat(32);
  const body = Buffer.from('{"id":"evt_1"}');
  const now = 1_700_000_000;

  it('accepts a signature over the timestamp and the exact body', () => {
    expect(() => verifyWebhook(secret, body, signWebhook(secret, body, now), now + 10, 300)).not.toThrow();
  });

  it('refuses a missing, malformed, wrong, stale or tampered signature', () => {
    const sig = signWebhook(secret, body, now);
    const check =
      (b: Buffer | undefined, h: string | undefined, at = now) =>
      () =>
        verifyWebhook(secret, b, h, at, 300);
    expect(check(body, undefined)).toThrow('Missing webhook signature');
    expect(check(body, 'garbage')).toThrow('Malformed');
    expect(check(body, signWebhook('x'.repeat(32), body, now))).toThrow('Wrong webhook signature');
    expect(check(body, sig, now + 301)).toThrow('outside the tolerance');
    expect(check(Buffer.from('{"id":"evt_2"}'), sig)).toThrow('Wrong webhook signature');
    expect(check(undefined, sig)).toThrow();
    expect(check(body, `t=${now},v1=${'0'.repeat(64)}`)).toThrow('Wrong webhook signature');
  });
});
