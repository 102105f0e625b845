import Fastify from 'fastify';
import { BODY_OPTIONS } from './body-options';
import { preferredType, registerBodyParsers } from './http-platform';

describe('preferredType', () => {
  const types = ['application/json', 'text/csv'];

  it('takes the first listed type when the client accepts anything', () => {
    expect(preferredType(undefined, types)).toBe('application/json');
    expect(preferredType('*/*', types)).toBe('application/json');
  });

  it('follows the client: an exact type, a wildcard of its kind, q-values', () => {
    expect(preferredType('text/csv', types)).toBe('text/csv');
    expect(preferredType('text/*', types)).toBe('text/csv');
    expect(preferredType('application/json;q=0.5, text/csv', types)).toBe('text/csv');
    expect(preferredType('text/csv;q=0.2, */*;q=0.1', types)).toBe('text/csv');
    expect(preferredType('text/csv;q=0.2, application/json', types)).toBe('application/json');
  });

  it('is undefined when nothing listed is acceptable', () => {
    expect(preferredType('image/png', types)).toBeUndefined();
    expect(preferredType('text/csv;q=0', types)).toBeUndefined();
  });
});

describe('registerBodyParsers', () => {
  const app = Fastify({ bodyLimit: 1024 });
  registerBodyParsers(app);
  app.setErrorHandler((e: Error & { status?: number; statusCode?: number }, _req, reply) => {
    void reply.status(e.status ?? e.statusCode ?? 500).send({ message: e.message });
  });
  app.post('/echo', (req) => ({
    body: req.body === undefined ? '(none)' : req.body,
    raw: (req as { rawBody?: Buffer }).rawBody?.toString() ?? null,
  }));
  app.post('/small', { config: { [BODY_OPTIONS]: { limit: 64 } } }, () => ({ ok: true }));
  let sdpBodiesRead = 0;
  app.post('/sdp', { config: { [BODY_OPTIONS]: { consumes: ['application/sdp'] } } }, (req) => ({
    body: req.body,
    read: ++sdpBodiesRead,
  }));
  afterAll(() => app.close());

  const post = (type: string, payload: string, url = '/echo') =>
    app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload });

  it('parses JSON and keeps its exact bytes', async () => {
    const res = await post('application/json; charset=utf-8', '{ "a": 1 }');
    expect(res.json()).toEqual({ body: { a: 1 }, raw: '{ "a": 1 }' });
  });

  it('takes an empty JSON body as no body', async () => {
    expect((await post('application/json', '')).json()).toMatchObject({ body: '(none)' });
  });

  it('refuses malformed JSON and prototype pollution with a 400', async () => {
    expect((await post('application/json', '{"a": ')).statusCode).toBe(400);
    expect((await post('application/json', '{"__proto__": {"x": 1}}')).statusCode).toBe(400);
  });

  it('reads SDP as text and leaves unknown types unparsed', async () => {
    expect((await post('application/sdp', 'v=0\r\n')).json()).toMatchObject({ body: 'v=0\r\n' });
    expect((await post('application/xml', '<a/>')).json()).toMatchObject({ body: '(none)' });
  });

  it('answers a body over the limit with 413', async () => {
    expect((await post('application/json', JSON.stringify({ a: 'x'.repeat(2000) }))).statusCode).toBe(413);
  });

  it('refuses JSON nested too deep before parsing it', async () => {
    const body = '['.repeat(400) + ']'.repeat(400);
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const res = await post('application/json', body);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ message: 'JSON is nested more than 32 levels deep' });
      expect(parse.mock.calls.filter(([text]) => text === body)).toEqual([]);
    } finally {
      parse.mockRestore();
    }
  });

  it('refuses NUL characters in JSON strings and in the query string', async () => {
    expect((await post('application/json', '{"email":"a\\u0000b@x.io"}')).statusCode).toBe(400);
    const res = await app.inject({ method: 'POST', url: '/echo?x=a%00b' });
    expect(res.statusCode).toBe(400);
  });

  it("applies a route's own body limit", async () => {
    const res = await post('application/json', JSON.stringify({ a: 'x'.repeat(100) }), '/small');
    expect(res.statusCode).toBe(413);
  });

  it('answers a content type the route does not read with 415, without parsing the body', async () => {
    const res = await post('application/json', '{"malformed": ', '/sdp');
    expect(res.statusCode).toBe(415);
    expect(res.json()).toEqual({ message: 'Content-Type must be application/sdp (got application/json)' });
    expect(sdpBodiesRead).toBe(0);
    const ok = await app.inject({
      method: 'POST',
      url: '/sdp',
      headers: { 'content-type': 'application/sdp' },
      payload: 'v=0\r\n',
    });
    expect(ok.json()).toEqual({ body: 'v=0\r\n', read: 1 });
  });
});
