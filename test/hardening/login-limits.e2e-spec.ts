import request from 'supertest';
import { type TestUser, useTestApp } from '../support/test-app';

/**
 * Password guessing is bounded without handing strangers a way to lock users
 * out. Before: 10 wrong passwords locked the account for everyone, the right
 * password included, and one guess every 6 s kept it locked. Now the lock
 * holds for devices that never signed in to the account; the owner's known
 * device (the lc_device cookie, or deviceToken for apps) still gets in with
 * the right password. Sign-ins and registrations are also limited per
 * client address (behind TRUSTED_PROXIES, loopback here).
 */
describe('sign-in and registration limits', () => {
  const t = useTestApp({
    redis: false,
    env: {
      LOGIN_MAX_FAILURES: '5',
      LOGIN_ADDRESS_BURST: '20',
      LOGIN_ADDRESS_PER_MINUTE: '1',
      REGISTER_ADDRESS_BURST: '3',
      REGISTER_ADDRESS_PER_HOUR: '1',
    },
  });
  let victim: TestUser;
  let deviceCookie: string;

  beforeAll(async () => {
    victim = await t.user('viewer');
    // The victim signed in from this browser before: it is a known device of the account.
    const res = await login('198.51.100.1', 'password-123');
    deviceCookie = ([] as string[])
      .concat(res.headers['set-cookie'])
      .find((c) => c.startsWith('lc_device='))!
      .split(';')[0];
  });

  const login = (address: string, password: string, cookie?: string) => {
    const req = request(t.baseUrl)
      .post('/api/auth/login')
      .set('X-Forwarded-For', address)
      .send({ email: victim.email, password });
    return cookie ? req.set('Cookie', cookie) : req;
  };

  it("a stranger's wrong guesses lock the account for unknown devices only", async () => {
    for (let i = 0; i < 7; i++) await login('203.0.113.7', `wrong-${i}`).expect(i < 5 ? 401 : 429);
    // Even the right password, from a device that never signed in: still locked.
    const locked = await login('203.0.113.8', 'password-123');
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // The owner, on their known device, gets in.
    const owner = await login('198.51.100.1', 'password-123', deviceCookie).expect(200);
    expect(owner.body.user.id).toBe(victim.id);
    // A device token of another account does not pass the lock.
    const other = await t.user('viewer');
    const otherLogin = await request(t.baseUrl)
      .post('/api/auth/login')
      .set('X-Forwarded-For', '198.51.100.2')
      .send({ email: other.email, password: 'password-123', refreshTokenIn: 'body' })
      .expect(200);
    await request(t.baseUrl)
      .post('/api/auth/login')
      .set('X-Forwarded-For', '198.51.100.2')
      .send({ email: victim.email, password: 'password-123', deviceToken: otherLogin.body.deviceToken })
      .expect(429);
  });

  it('says the same for an account that does not exist', async () => {
    const ghost = (password: string) =>
      request(t.baseUrl)
        .post('/api/auth/login')
        .set('X-Forwarded-For', '203.0.113.9')
        .send({ email: 'nobody@test.livecart', password });
    for (let i = 0; i < 5; i++) await ghost(`wrong-${i}`).expect(401);
    await ghost('password-123').expect(429);
  });

  it('limits sign-in attempts per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) {
      statuses.push((await login('192.0.2.1', 'password-123', deviceCookie)).status);
    }
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429]);
    // Another address is not affected.
    await login('192.0.2.2', 'password-123', deviceCookie).expect(200);
  });

  it('limits registrations per client address', async () => {
    const register = (address: string, n: number) =>
      request(t.baseUrl)
        .post('/api/auth/register')
        .set('X-Forwarded-For', address)
        .send({ email: `reg-${address}-${n}@test.livecart`, password: 'password-123', name: 'R' });
    for (let n = 0; n < 3; n++) await register('192.0.2.10', n).expect(201);
    const refused = await register('192.0.2.10', 3).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await register('192.0.2.11', 0).expect(201);
  });
});
