import { concretePath, listRoutes, RouteInfo } from '../support/routes';
import { TestUser, useTestApp } from '../support/test-app';

/**
 * Deny by default, checked over every route the app has: a route added
 * later without @Public() or @Roles() is covered without editing this file.
 */
describe('route guards', () => {
  const t = useTestApp();
  let routes: RouteInfo[];
  let viewer: TestUser;

  beforeAll(async () => {
    routes = listRoutes(t.app);
    viewer = await t.user('viewer');
  });

  const call = (r: RouteInfo, token?: string) => {
    const req = t.http[r.method.toLowerCase() as 'get'](concretePath(r.path));
    if (token) void req.set('Authorization', `Bearer ${token}`);
    if (r.method === 'GET' || r.method === 'DELETE') return req;
    // A body of the type the route reads: any other is refused (415) before the guards run.
    return r.consumes ? req.set('Content-Type', r.consumes[0]).send(Buffer.from('x')) : req.send({});
  };

  it('finds the routes of every feature', () => {
    const paths = routes.map((r) => `${r.method} ${r.path}`);
    expect(paths).toEqual(
      expect.arrayContaining(['POST /api/products', 'POST /api/streams', 'GET /api/auth/me']),
    );
  });

  it('answers 401 without a token on every non-public route', async () => {
    const guarded = routes.filter((r) => !r.isPublic);
    expect(guarded.length).toBeGreaterThan(3);
    for (const r of guarded) {
      const res = await call(r);
      expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({
        route: `${r.method} ${r.path}`,
        status: 401,
      });
      expect(res.body).toEqual({ error: { code: 'unauthorized', message: expect.any(String) } });
    }
  });

  it('answers 401 for a forged or expired token', async () => {
    const forged = viewer.token.slice(0, -4) + (viewer.token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    await t.http.get('/api/auth/me').set('Authorization', `Bearer ${forged}`).expect(401);
    await t.http.get('/api/auth/me').set('Authorization', 'Basic dXNlcjpwYXNz').expect(401);
  });

  it('answers 403 to a viewer on every route that needs another role', async () => {
    const restricted = routes.filter((r) => !r.isPublic && r.roles.length > 0 && !r.roles.includes('viewer'));
    expect(restricted.length).toBeGreaterThan(2);
    for (const r of restricted) {
      const res = await call(r, viewer.token);
      expect({ route: `${r.method} ${r.path}`, status: res.status }).toEqual({
        route: `${r.method} ${r.path}`,
        status: 403,
      });
      expect(res.body.error.code).toBe('forbidden');
    }
  });

  it('lets an admin past every role check', async () => {
    const admin = await t.user('admin');
    const restricted = routes.filter((r) => !r.isPublic && r.roles.length > 0);
    for (const r of restricted) {
      const res = await call(r, admin.token);
      expect([401, 403]).not.toContain(res.status);
    }
  });
});
