import Fastify from 'fastify';
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
  app.post('/echo', (req) => ({
    body: req.body === undefined ? '(none)' : req.body,
    raw: (req as { rawBody?: Buffer }).rawBody?.toString() ?? null,
  }));
  afterAll(() => app.close());

  const post = (type: string, payload: string) =>
    app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': type }, payload });

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
});
