import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import request from 'supertest';
import { CLIENT_EVENTS } from '../../src/room/protocol';
import { connect, type LiveClient } from '../support/live-client';
import { TokenService } from '../../src/common/auth/token.service';
import { linkStreamer } from '../support/links';
import { startTestApp, type TestApp, type TestUser } from '../support/test-app';
import {
  bodyFor,
  hlsRequest,
  nastyText,
  nastyValue,
  pathSegment,
  rarely,
  queryFor,
  resolveSchema,
  type FuzzPools,
  type GeneratedBody,
  type OpenApiDoc,
  type OpenApiOperation,
  type Role,
} from '../support/fuzz-arbitraries';

/**
 * Property-based fuzzing of the whole surface: every route of the OpenAPI
 * document (WHIP, WHEP and HLS included) with generated path parameters,
 * query strings, headers and bodies, signed in as each role or not at all,
 * and every client event of the live room with generated payloads. The
 * property: no answer is a 5xx and no socket is dropped or answered
 * `internal`. Each generated request is mostly valid with one or two bad
 * parts (a field, a query parameter, the content type, the token), so the
 * bad part reaches the code behind the first check.
 *
 * The seed is fixed (printed at the start; operation i uses seed + i), so a
 * run is reproducible; a failure names the request, the seed and
 * fast-check's counterexample path. Replay or explore other seeds with
 *
 *   FUZZ_SEED=<seed> FUZZ_RUNS=<n> npx jest --selectProjects integration test/hardening/fuzz
 *
 * FUZZ_RUNS is the runs per operation (default 150): ~8,000 requests and
 * 3,000 socket events in 30-45 s on the 2-core CI machine.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_205);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const ROLES: readonly Role[] = ['anonymous', 'viewer', 'streamer', 'merchant', 'admin'];

/** What an HTTP client can put in a header: printable ASCII. */
const headerSafe = (s: string) => s.replace(/[^ -~]/g, '');

interface GeneratedRequest {
  role: Role;
  badToken: string | null;
  path: string;
  query: string;
  idempotencyKey: string | null;
  streamKeyHeader: string | null;
  body: GeneratedBody;
}

interface Failure {
  what: string;
  seed: number;
  path?: string;
  error: string;
}

describe('fuzz: no input makes a 5xx or drops a socket', () => {
  let t: TestApp;
  let doc: OpenApiDoc;
  let pools: FuzzPools;
  const tokens = new Map<Role, string | undefined>();
  const users = new Map<Role, TestUser>();
  let signer: TokenService;
  const failures: Failure[] = [];
  const fixtures: Record<string, string | undefined> = {};

  beforeAll(async () => {
    process.stdout.write(`fuzz seed ${SEED}, ${RUNS} runs per route (replay: FUZZ_SEED=${SEED})\n`);
    t = await startTestApp({
      // Limits that would answer 429 before the input reaches the code under test.
      env: { ORDER_RATE_BURST: '100000', CHAT_RATE_BURST: '1000', LIVE_REACTIONS_PER_SECOND: '1000' },
    });
    const [viewer, streamer, merchant, admin] = await Promise.all([
      t.user('viewer'),
      t.user('streamer'),
      t.user('merchant'),
      t.user('admin'),
    ]);
    tokens.set('anonymous', undefined);
    users.set('viewer', viewer).set('streamer', streamer).set('merchant', merchant).set('admin', admin);
    signer = new TokenService(fs.readFileSync(path.join(t.config.dataDir, 'jwt-secret'), 'utf8').trim());
    await restoreIdentities();
    const auth = (token: string) => ({ Authorization: `Bearer ${token}` });
    await linkStreamer(t, merchant, streamer);
    const product = await t.http
      .post('/api/products')
      .set(auth(merchant.token))
      .send({ title: 'Fuzz phone', priceCents: 1000, currency: 'EUR', stock: 1000 })
      .expect(201);
    const stream = await t.http
      .post('/api/streams')
      .set(auth(streamer.token))
      .send({ title: 'Fuzz live', merchantId: merchant.id })
      .expect(201);
    const pin = await t.http
      .post(`/api/streams/${stream.body.id}/pins`)
      .set(auth(streamer.token))
      .send({ productId: product.body.id, salePriceCents: 900, saleStock: 100 })
      .expect(201);
    const order = await t.http
      .post('/api/orders')
      .set(auth(viewer.token))
      .set('Idempotency-Key', 'fuzz-order-1')
      .send({ streamId: stream.body.id, items: [{ productId: product.body.id, quantity: 1 }] })
      .expect(201);
    const webhook = await t.http
      .post('/api/merchant/webhooks')
      .set(auth(merchant.token))
      .send({ url: 'https://example.com/hook', events: ['order.paid'] });
    const chat = await connect(t.baseUrl, viewer.token);
    await chat.emitWithAck('join', { streamId: stream.body.id });
    const line = (await chat.emitWithAck('chat:send', { text: 'hello' })) as { message?: { id: string } };
    chat.disconnect();
    Object.assign(fixtures, {
      viewer: viewer.id,
      streamer: streamer.id,
      product: product.body.id,
      stream: stream.body.id,
      pin: pin.body.pinId ?? pin.body.id,
      order: order.body.id,
      webhook: webhook.body?.id,
    });
    pools = {
      ids: [
        viewer.id,
        streamer.id,
        merchant.id,
        admin.id,
        product.body.id,
        stream.body.id,
        pin.body.pinId ?? pin.body.id,
        order.body.id,
        ...(webhook.body?.id ? [webhook.body.id as string] : []),
        ...(line.message ? [line.message.id] : []),
      ],
      streamId: stream.body.id,
      streamKey: stream.body.streamKey,
      sdpFixtures: [
        'chromium-publisher',
        'chromium-simulcast',
        'chromium-viewer',
        'obs-whip',
        'wrtc-viewer',
      ].map((f) => fs.readFileSync(path.join(__dirname, '../../media/sdp/fixtures', `${f}.sdp`), 'utf8')),
    };
    doc = (await t.http.get('/api/docs/openapi.json').expect(200)).body as OpenApiDoc;
  });

  afterAll(async () => {
    await t?.close();
  });

  /**
   * The generated requests may change roles or sign users out everywhere
   * (which ends their tokens): after each operation every fixture user gets
   * their role back and a token of their current version.
   */
  async function restoreIdentities(): Promise<void> {
    for (const [role, u] of users) {
      await t.sql(`UPDATE users SET roles = $2 WHERE id = $1`, [
        u.id,
        ['viewer', role].filter((r, i, a) => a.indexOf(r) === i),
      ]);
      const [{ version }] = await t.sql<{ version: number }>(
        `SELECT coalesce((SELECT version FROM user_token_versions WHERE user_id = $1), 0) AS version`,
        [u.id],
      );
      tokens.set(role, signer.issue({ id: u.id, email: u.email, name: role, roles: u.roles }, version, 3600));
    }
  }

  /** The fixture a path parameter most likely names, so most requests reach past "not found". */
  function ownId(template: string, param: string): string | undefined {
    if (param === 'pinId') return fixtures.pin;
    if (param === 'streamerId') return fixtures.streamer;
    if (param === 'streamId' || template.startsWith('/api/streams/')) return fixtures.stream;
    if (template.startsWith('/api/products/')) return fixtures.product;
    if (template.startsWith('/api/orders/')) return fixtures.order;
    if (template.startsWith('/api/merchant/webhooks/')) return fixtures.webhook;
    if (template.startsWith('/api/auth/users/')) return fixtures.viewer;
    return undefined;
  }

  /** One request for an operation, from generated parts. */
  function requestArb(template: string, op: OpenApiOperation): fc.Arbitrary<GeneratedRequest> {
    const params = (op.parameters ?? []).map((p) => ({ ...p, schema: resolveSchema(doc, p.schema) }));
    const pathParams = params.filter((p) => p.in === 'path');
    const body = op.requestBody?.content
      ? Object.entries(op.requestBody.content).map(([type, c]) => ({
          type,
          schema: resolveSchema(doc, c.schema),
        }))
      : [];
    const isHls = template.startsWith('/hls/');
    return fc.record({
      role: fc.oneof(
        { weight: 3, arbitrary: fc.constant<Role>('admin') },
        { weight: 4, arbitrary: fc.constantFrom<Role>('viewer', 'streamer', 'merchant') },
        { weight: 1, arbitrary: fc.constant<Role>('anonymous') },
      ),
      badToken: rarely(nastyText(pools)),
      path: isHls
        ? hlsRequest(pools, template)
        : fc
            .tuple(
              ...pathParams.map((param) => {
                const own = ownId(template, param.name);
                return fc.oneof(
                  { weight: own ? 6 : 0, arbitrary: fc.constant(own ?? '') },
                  { weight: 2, arbitrary: fc.constantFrom(...pools.ids) },
                  { weight: 1, arbitrary: fc.uuid() },
                  { weight: 1, arbitrary: nastyText(pools) },
                );
              }),
            )
            .map((values) =>
              pathParams.reduce(
                (p, param, i) => p.replace(`{${param.name}}`, pathSegment(String(values[i])).slice(0, 300)),
                template,
              ),
            ),
      query: queryFor(
        params.filter((p) => p.in === 'query'),
        pools,
      ),
      idempotencyKey: fc.oneof(fc.uuid(), fc.uuid(), fc.constant(null), nastyText(pools)),
      streamKeyHeader: fc.oneof(
        fc.constant(pools.streamKey),
        fc.constant(pools.streamKey),
        fc.constant(null),
        nastyText(pools),
      ),
      body: bodyFor(body, pools, template),
    });
  }

  async function send(method: string, r: GeneratedRequest): Promise<number> {
    const url = `${r.path}${r.query ? `?${r.query}` : ''}`;
    let req = request(t.baseUrl)[method.toLowerCase() as 'get'](url).timeout(15_000);
    const token = r.badToken ?? tokens.get(r.role);
    if (r.path.startsWith('/whip/') && r.streamKeyHeader !== null) {
      req = req.set('Authorization', `Bearer ${headerSafe(r.streamKeyHeader)}`);
    } else if (token) req = req.set('Authorization', `Bearer ${headerSafe(token)}`);
    if (r.idempotencyKey !== null) req = req.set('Idempotency-Key', headerSafe(r.idempotencyKey));
    if (r.body.contentType !== undefined) req = req.set('Content-Type', r.body.contentType);
    const res = r.body.payload === undefined ? await req : await req.send(r.body.payload);
    if (process.env.FUZZ_DEBUG) {
      const body = typeof r.body.payload === 'string' ? r.body.payload : JSON.stringify(r.body.payload);
      process.stdout.write(
        `${res.status} ${method} ${url.slice(0, 120)} ${r.role} ${String(body).slice(0, 200)}\n`,
      );
    }
    return res.status;
  }

  it('answers every route with generated input without a 5xx', async () => {
    const operations = Object.entries(doc.paths).flatMap(([template, methods]) =>
      Object.entries(methods).map(([method, op]) => ({ method: method.toUpperCase(), template, op })),
    );
    expect(operations.length).toBeGreaterThan(50);
    const started = Date.now();
    for (const [index, { method, template, op }] of operations.entries()) {
      const arb = requestArb(template, op);
      const result = await fc.check(
        fc.asyncProperty(arb, async (r) => {
          const status = await send(method, r);
          if (status >= 500) {
            const body = typeof r.body.payload === 'string' ? r.body.payload : JSON.stringify(r.body.payload);
            const url = `${r.path}${r.query ? `?${r.query}` : ''}`;
            throw new Error(`${method} ${url} as ${r.role}, body ${String(body).slice(0, 300)} → ${status}`);
          }
        }),
        // A seed per operation, so they do not all draw the same sequence of choices.
        { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
      );
      await restoreIdentities();
      if (result.failed) {
        failures.push({
          what: `${method} ${template}`,
          seed: result.seed,
          path: result.counterexamplePath ?? undefined,
          error: String(
            result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance,
          ),
        });
      }
    }
    process.stdout.write(
      `fuzzed ${operations.length} operations in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
    expect(failures).toEqual([]);
  }, 600_000);

  it('answers every socket event with generated payloads without an internal error or a dropped socket', async () => {
    const sockets = new Map<Role, LiveClient>();
    for (const role of ROLES) sockets.set(role, await connect(t.baseUrl, tokens.get(role)));
    const events = [...Object.values(CLIENT_EVENTS), 'auth', 'nope', ''] as string[];
    // Each field: a value of its kind most of the time (a real stream, a real token), else anything.
    const field = <T>(good: fc.Arbitrary<T>) =>
      fc.oneof(
        { weight: 3, arbitrary: good },
        { weight: 1, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: nastyValue(pools) },
      );
    // Each event's own fields, so most payloads get past "unknown field" to the code behind.
    const fields: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
      [CLIENT_EVENTS.join]: {
        streamId: field(fc.oneof(fc.constant(pools.streamId), fc.uuid())),
        token: field(fc.constantFrom(...[...tokens.values()].filter((x): x is string => !!x))),
        deviceId: field(fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/)),
      },
      [CLIENT_EVENTS.chatSend]: { text: field(fc.string({ maxLength: 80 })) },
      [CLIENT_EVENTS.reactionSend]: { kind: field(fc.constantFrom('like', 'heart', 'fire')) },
    };
    const payloadFor = (event: string) =>
      fc.oneof(
        { weight: 4, arbitrary: fc.record(fields[event] ?? {}, { requiredKeys: [] }) },
        { weight: 1, arbitrary: nastyValue(pools) },
      );
    const result = await fc.check(
      fc.asyncProperty(
        fc.constantFrom(...ROLES),
        fc
          .oneof(
            { weight: 4, arbitrary: fc.constantFrom<string>(...Object.values(CLIENT_EVENTS)) },
            { weight: 1, arbitrary: fc.constantFrom(...events) },
          )
          .chain((event) => payloadFor(event).map((data) => [event, data] as const)),
        fc.boolean(),
        async (role, [event, data], withAck) => {
          const socket = sockets.get(role)!;
          if (!socket.connected) throw new Error(`the ${role} socket was dropped`);
          // Unknown events have no handler and get no ack: they are sent without one.
          const known = (Object.values(CLIENT_EVENTS) as string[]).includes(event);
          if (!withAck || !known) {
            (socket as unknown as { emit(e: string, d: unknown): void }).emit(event, data);
            return;
          }
          const reply = (await (
            socket.timeout(5000) as unknown as { emitWithAck(e: string, d: unknown): Promise<unknown> }
          )
            .emitWithAck(event, data)
            .catch((e: Error) => ({ timeout: e.message }))) as {
            error?: { code?: string };
            timeout?: string;
          };
          if (process.env.FUZZ_DEBUG) {
            process.stdout.write(
              `${event} ${JSON.stringify(data)?.slice(0, 120)} → ${JSON.stringify(reply)?.slice(0, 120)}\n`,
            );
          }
          if (reply?.error?.code === 'internal' || reply?.timeout) {
            throw new Error(`${event} ${JSON.stringify(data).slice(0, 200)} → ${JSON.stringify(reply)}`);
          }
        },
      ),
      { seed: SEED, numRuns: RUNS * 20, endOnFailure: true },
    );
    for (const s of sockets.values()) s.disconnect();
    if (result.failed) {
      failures.push({
        what: 'socket events',
        seed: result.seed,
        path: result.counterexamplePath ?? undefined,
        error: String(
          result.errorInstance instanceof Error ? result.errorInstance.message : result.errorInstance,
        ),
      });
    }
    expect(failures.filter((f) => f.what === 'socket events')).toEqual([]);
    await t.http.get('/health').expect(200);
  }, 300_000);
});
