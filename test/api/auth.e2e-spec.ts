import { useTestApp } from '../support/test-app';

describe('accounts and sign-in', () => {
  const t = useTestApp();

  it('registers, signs in and reads the current user', async () => {
    const reg = await t.http
      .post('/api/auth/register')
      .send({ email: '  Ana@Example.COM ', password: 'secret-pass', name: 'Ana', role: 'streamer' })
      .expect(201);
    expect(reg.body.user).toMatchObject({
      email: 'ana@example.com',
      name: 'Ana',
      roles: ['viewer', 'streamer'],
    });
    expect(reg.body.accessToken).toEqual(expect.any(String));

    const login = await t.http
      .post('/api/auth/login')
      .send({ email: 'ana@example.com', password: 'secret-pass' })
      .expect(200);
    const me = await t.http
      .get('/api/auth/me')
      .set('Authorization', `Bearer ${login.body.accessToken}`)
      .expect(200);
    expect(me.body).toMatchObject({ email: 'ana@example.com', roles: ['viewer', 'streamer'] });
  });

  it('stores a slow salted hash, never the password', async () => {
    await t.http
      .post('/api/auth/register')
      .send({ email: 'hash@example.com', password: 'plain-secret', name: 'H' })
      .expect(201);
    const [row] = await t.sql<{ password_hash: string }>(
      `SELECT password_hash FROM users WHERE email = 'hash@example.com'`,
    );
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain('plain-secret');
  });

  it('refuses a duplicate email with 409', async () => {
    await t.http
      .post('/api/auth/register')
      .send({ email: 'dup@example.com', password: 'password-1', name: 'D' })
      .expect(201);
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: 'DUP@example.com', password: 'password-2', name: 'D2' })
      .expect(409);
    expect(res.body.error.code).toBe('email_taken');
  });

  it('never lets anyone register as admin', async () => {
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: 'root@example.com', password: 'password-1', name: 'R', role: 'admin' })
      .expect(400);
    expect(res.body.error.message).toMatch(/role must be one of viewer, streamer, merchant/);
  });

  it('names the field of every validation error', async () => {
    const res = await t.http
      .post('/api/auth/register')
      .send({ email: 'not-an-email', password: 'short', name: '' })
      .expect(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.message).toMatch(/email must be a valid email address/);
    expect(res.body.error.message).toMatch(/password must be at least 8 characters/);
    expect(res.body.error.details.fields.map((f: { field: string }) => f.field)).toEqual(
      expect.arrayContaining(['email', 'password', 'name']),
    );
  });

  it('answers a wrong password with 401 and then rate-limits guessing', async () => {
    await t.http
      .post('/api/auth/register')
      .send({ email: 'guess@example.com', password: 'right-pass', name: 'G' })
      .expect(201);
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await t.http
        .post('/api/auth/login')
        .send({ email: 'guess@example.com', password: `wrong-${i}` });
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 8).every((s) => s === 401)).toBe(true);
    expect(statuses).toContain(429);
    const limited = await t.http
      .post('/api/auth/login')
      .send({ email: 'guess@example.com', password: 'right-pass' });
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toEqual(expect.any(String));
  });

  it('lets an admin grant roles', async () => {
    const admin = await t.user('admin');
    const v = await t.user('viewer');
    const res = await t.http
      .put(`/api/auth/users/${v.id}/roles`)
      .set('Authorization', `Bearer ${admin.token}`)
      .send({ roles: ['merchant'] })
      .expect(200);
    expect(res.body.roles).toEqual(['viewer', 'merchant']);
  });
});
