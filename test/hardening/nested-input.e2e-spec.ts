import request from 'supertest';
import { CLIENT_EVENTS } from '../../src/room/protocol';
import { ask, connect, type LiveClient } from '../support/live-client';
import { concretePath, listRoutes, type RouteInfo } from '../support/routes';
import { bearer, type TestUser, useTestApp } from '../support/test-app';

/**
 * The probe's deeply nested JSON: a few KB nested thousands of levels deep
 * overflowed the validators' stacks (500 RangeError), and a 1 MB array nested
 * half a million deep held the event loop for seconds. Every route and every
 * socket event now refuses such input with a 4xx, a body before it is parsed
 * (so a trivial request made meanwhile is not held up).
 */
const nested = (depth: number) => `{"a":${'['.repeat(depth)}${']'.repeat(depth)}}`;

describe('deeply nested input', () => {
  const t = useTestApp({ redis: false });
  let admin: TestUser;
  let routes: RouteInfo[];
  let streamId: string;

  beforeAll(async () => {
    admin = await t.user('admin');
    routes = listRoutes(t.app).filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
    const streamer = await t.user('streamer');
    streamId = (await t.http.post('/api/streams').set(bearer(streamer)).send({ title: 'nested' }).expect(201))
      .body.id;
  });

  it('gets a 4xx on every route that takes a body', async () => {
    expect(routes.length).toBeGreaterThan(15);
    const body = nested(2500); // ~5 KB, as in the probe
    const answers: string[] = [];
    for (const r of routes) {
      const res = await t.http[r.method.toLowerCase() as 'post'](concretePath(r.path))
        .set(bearer(admin))
        .set('Content-Type', 'application/json')
        .send(body);
      answers.push(`${r.method} ${r.path} → ${res.status}`);
      expect(res.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
    }
    expect(answers.filter((a) => !/→ 4\d\d$/.test(a))).toEqual([]);
  });

  it('refuses a 1 MB body nested 500,000 deep without parsing it, and answers a trivial request meanwhile', async () => {
    const huge = '['.repeat(500_000) + ']'.repeat(500_000);
    // The app runs in this process: what parsed the body would call JSON.parse with it.
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const attacks = Array.from({ length: 8 }, () =>
        request(t.baseUrl)
          .post('/api/auth/login')
          .set('Content-Type', 'application/json')
          .send(huge)
          .then((r) => r.status),
      );
      await t.http.get('/api/payments/providers').expect(200);
      const statuses = await Promise.all(attacks);
      expect(statuses.filter((s) => s !== 413 && s !== 400)).toEqual([]);
      expect(parse.mock.calls.filter(([text]) => typeof text === 'string' && text.length > 100_000)).toEqual(
        [],
      );
    } finally {
      parse.mockRestore();
    }
  });

  describe('on the live room', () => {
    let socket: LiveClient;
    beforeAll(async () => {
      socket = await connect(t.baseUrl, admin.token);
    });
    afterAll(() => socket.disconnect());

    it.each(Object.values(CLIENT_EVENTS))(
      'answers %s with validation_failed and keeps the socket',
      async (event) => {
        let deep: unknown = 'x';
        for (let i = 0; i < 2500; i++) deep = [deep];
        const reply = await ask<{ error?: { code: string } }>(socket, event, {
          streamId,
          text: deep,
          kind: deep,
        });
        expect(reply.error?.code).toBe('validation_failed');
        expect(socket.connected).toBe(true);
        // The socket still works.
        const ok = await ask<{ streamId?: string }>(socket, 'join', { streamId });
        expect(ok.streamId).toBe(streamId);
      },
    );
  });
});
