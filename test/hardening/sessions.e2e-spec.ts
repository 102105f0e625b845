import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import request from 'supertest';
import { TokenService } from '../../src/common/auth/token.service';
import type { AuthUser } from '../../src/common/auth/roles';
import { connect, next } from '../support/live-client';
import { type TestUser, useTestApp } from '../support/test-app';

/**
 * Sessions that end when they should. Before: roles lived in a 7-day JWT
 * never checked again (a demoted admin stayed admin and re-granted itself),
 * a validly signed token of a user that does not exist was served, and
 * sockets stayed signed in past their token. Now access tokens are short,
 * carry the user's token version (raised on role changes and sign-out
 * everywhere), refresh tokens rotate with reuse detection, and live sockets
 * end with their token.
 */
describe('sessions', () => {
  const t = useTestApp({ redis: true });
  let admin: TestUser;
  let tokens: TokenService;
  const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
  const cookieOf = (res: request.Response, name: string): string | undefined =>
    ([] as string[])
      .concat(res.headers['set-cookie'] ?? [])
      .find((c) => c.startsWith(`${name}=`))
      ?.split(';')[0];

  beforeAll(async () => {
    admin = await t.user('admin');
    tokens = new TokenService(fs.readFileSync(path.join(t.config.dataDir, 'jwt-secret'), 'utf8').trim());
  });

  async function login(user: TestUser, extra: object = {}) {
    return request(t.baseUrl)
      .post('/api/auth/login')
      .send({ email: user.email, password: 'password-123', ...extra })
      .expect(200);
  }

  /** A refresh as a client without cookies asks for it: the token in the body. */
  const refreshWith = (refreshToken: string) =>
    request(t.baseUrl).post('/api/auth/refresh').send({ refreshToken });

  it('hands out a short access token and a rotating refresh token in an httpOnly cookie', async () => {
    const user = await t.user('viewer');
    const res = await login(user);
    expect(res.body.expiresIn).toBe(900);
    expect(res.body.refreshToken).toBeUndefined();
    const setCookie = ([] as string[]).concat(res.headers['set-cookie']).join('\n');
    expect(setCookie).toMatch(
      /lc_refresh=lcr_[\w-]+; Path=\/api\/auth; Max-Age=2592000; HttpOnly; SameSite=Strict/,
    );
    const cookie = cookieOf(res, 'lc_refresh')!;
    const refreshed = await request(t.baseUrl).post('/api/auth/refresh').set('Cookie', cookie).expect(200);
    await t.http.get('/api/auth/me').set(bearer(refreshed.body.accessToken)).expect(200);
    expect(cookieOf(refreshed, 'lc_refresh')).not.toEqual(cookie);
    // Logging out ends the refresh token.
    const rotated = cookieOf(refreshed, 'lc_refresh')!;
    await request(t.baseUrl).post('/api/auth/logout').set('Cookie', rotated).expect(204);
    await request(t.baseUrl).post('/api/auth/refresh').set('Cookie', rotated).expect(401);
  });

  it('gives clients without cookies the refresh token in the body', async () => {
    const user = await t.user('viewer');
    const res = await login(user, { refreshTokenIn: 'body' });
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toMatchObject({
      refreshToken: expect.stringMatching(/^lcr_/),
      deviceToken: expect.any(String),
    });
    const next = await refreshWith(res.body.refreshToken).expect(200);
    expect(next.body.refreshToken).not.toEqual(res.body.refreshToken);
    expect(next.headers['set-cookie']).toBeUndefined();
  });

  it('detects a reused refresh token: the family ends and so do the access tokens', async () => {
    const user = await t.user('viewer');
    const first = await login(user, { refreshTokenIn: 'body' });
    const second = await refreshWith(first.body.refreshToken).expect(200);
    // A second tab racing the first refresh is not a theft (within the grace window).
    await refreshWith(first.body.refreshToken).expect(200);
    // Later, the old token shown again is: a thief and the owner both hold the family.
    await t.sql(`UPDATE refresh_tokens SET used_at = now() - interval '1 minute' WHERE used_at IS NOT NULL`);
    await refreshWith(first.body.refreshToken).expect(401);
    await refreshWith(second.body.refreshToken).expect(401);
    await t.http.get('/api/auth/me').set(bearer(second.body.accessToken)).expect(401);
  });

  it("ends a demoted admin's access at once: it cannot re-grant itself", async () => {
    const other = await t.user('admin');
    const before = await login(other, { refreshTokenIn: 'body' });
    await t.http
      .put(`/api/auth/users/${other.id}/roles`)
      .set(bearer(admin.token))
      .send({ roles: ['viewer'] })
      .expect(200);
    // The old token is refused at once, on every route.
    const regrant = await t.http
      .put(`/api/auth/users/${other.id}/roles`)
      .set(bearer(before.body.accessToken))
      .send({ roles: ['admin'] });
    expect(regrant.status).toBe(401);
    await t.http.get('/api/auth/me').set(bearer(before.body.accessToken)).expect(401);
    // A refresh keeps the session, with the new roles only.
    const after = await refreshWith(before.body.refreshToken).expect(200);
    expect(after.body.user.roles).toEqual(['viewer']);
    await t.http
      .put(`/api/auth/users/${other.id}/roles`)
      .set(bearer(after.body.accessToken))
      .send({ roles: ['admin'] })
      .expect(403);
  });

  it('signs out everywhere: access and refresh tokens end at once', async () => {
    const user = await t.user('viewer');
    const a = await login(user, { refreshTokenIn: 'body' });
    const b = await login(user, { refreshTokenIn: 'body' });
    await t.http.post('/api/auth/logout-all').set(bearer(a.body.accessToken)).expect(204);
    for (const s of [a, b]) {
      await t.http.get('/api/auth/me').set(bearer(s.body.accessToken)).expect(401);
      await refreshWith(s.body.refreshToken).expect(401);
    }
  });

  it('refuses a validly signed token of a user that does not exist, everywhere', async () => {
    const ghost: AuthUser = {
      id: randomUUID(),
      email: 'ghost@x.io',
      name: 'Ghost',
      roles: ['viewer', 'merchant'],
    };
    const token = tokens.issue(ghost, 0, 300);
    await t.http.get('/api/auth/me').set(bearer(token)).expect(401);
    await t.http.get('/api/orders?mine=1').set(bearer(token)).expect(401);
    await t.http
      .post('/api/orders')
      .set(bearer(token))
      .set('Idempotency-Key', 'ghost-1')
      .send({ items: [{ productId: randomUUID(), quantity: 1 }] })
      .expect(401);
    await t.http
      .post('/api/products')
      .set(bearer(token))
      .send({ title: 'x', priceCents: 1, currency: 'EUR', stock: 1 })
      .expect(401);
    await expect(connect(t.baseUrl, token)).rejects.toThrow(/unauthorized/);
  });

  describe('live sockets', () => {
    const tokenFor = async (u: TestUser, ttlSeconds: number) => {
      const me = await t.http.get('/api/auth/me').set(bearer(u.token)).expect(200);
      const [{ version }] = await t.sql<{ version: number }>(
        `SELECT coalesce((SELECT version FROM user_token_versions WHERE user_id = $1), 0) AS version`,
        [u.id],
      );
      return tokens.issue(me.body, version, ttlSeconds);
    };

    it('ends a socket whose token expires, unless it renews it with `auth`', async () => {
      const user = await t.user('viewer');
      const lapsing = await connect(t.baseUrl, await tokenFor(user, 2));
      const renewing = await connect(t.baseUrl, await tokenFor(user, 2));
      const renewed = await renewing.emitWithAck(
        'auth' as 'leave',
        { token: await tokenFor(user, 60) } as never,
      );
      expect(renewed).toMatchObject({ ok: true, expiresAt: expect.any(String) });
      const ended = await next<{ reason: string }>(lapsing, 'session:ended', () => true, 5000);
      expect(ended.reason).toBe('expired');
      await new Promise((r) => setTimeout(r, 300));
      expect(lapsing.connected).toBe(false);
      expect(renewing.connected).toBe(true);
      renewing.disconnect();
    });

    it('ends the sockets of a user whose tokens are revoked', async () => {
      const user = await t.user('streamer');
      const socket = await connect(t.baseUrl, await tokenFor(user, 300));
      const ended = next<{ reason: string }>(socket, 'session:ended', () => true, 5000);
      await t.http
        .put(`/api/auth/users/${user.id}/roles`)
        .set(bearer(admin.token))
        .send({ roles: ['viewer'] })
        .expect(200);
      expect((await ended).reason).toBe('revoked');
      await new Promise((r) => setTimeout(r, 300));
      expect(socket.connected).toBe(false);
    });
  });
});
