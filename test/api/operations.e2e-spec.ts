import { useTestApp } from '../support/test-app';

describe('operations endpoints', () => {
  const t = useTestApp();

  it('reports database and Redis health', async () => {
    const res = await t.http.get('/health').expect(200);
    expect(res.body.status).toBe('ok');
    expect(res.body.details).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
  });

  it('exports Prometheus metrics, including per-route HTTP timings', async () => {
    await t.http.get('/api/products').expect(200);
    const res = await t.http.get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('livecart_process_cpu_seconds_total');
    expect(res.text).toMatch(
      /livecart_http_requests_total\{method="GET",route="\/api\/products",status="200"\} \d+/,
    );
  });

  it('serves the OpenAPI document generated from the DTOs and schemas', async () => {
    const res = await t.http.get('/api/docs/openapi.json').expect(200);
    expect(res.body.openapi).toMatch(/^3\./);
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/api/products', '/api/streams', '/api/auth/login']),
    );
    expect(res.body.components.schemas.CreateProductDto.required).toEqual(
      expect.arrayContaining(['title', 'priceCents', 'currency', 'stock']),
    );
    // The order body is the route's own JSON schema; its line documents the
    // client prices the server accepts and ignores.
    const body = res.body.paths['/api/orders'].post.requestBody.content['application/json'].schema;
    expect(body.required).toEqual(['items']);
    const line = body.properties.items.items;
    expect(line.required).toEqual(['productId', 'quantity']);
    expect(line.properties.unitPriceCents.description).toMatch(/^Ignored/);
    await t.http.get('/api/docs').expect(200);
  });

  it('serves the built landing page under a strict CSP, its hashed assets compressed and cached for good', async () => {
    const res = await t.http.get('/').expect(200);
    expect(res.text).toContain('<main id="main"');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['cache-control']).toBe('no-cache');
    // No inline script: every <script> has a src on this origin.
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc="\/assets\/)[^>]*>/);
    const script = /<script[^>]*src="(\/assets\/[^"]+\.js)"/.exec(res.text)![1];
    const asset = await t.http.get(script).expect(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    // Compressed at build time, sent as such to a client that accepts it (superagent asks for gzip).
    expect(asset.headers['content-encoding']).toBe('gzip');
    const br = await t.http
      .get(script)
      .set('Accept-Encoding', 'br')
      .buffer(true)
      .parse((r, done) => {
        r.on('data', () => undefined);
        r.on('end', () => done(null, null));
      });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['cache-control']).toContain('immutable');
    // The build's sources and manifest are not served.
    await t.http.get('/index.html').expect(404);
    await t.http.get('/.vite/manifest.json').expect(404);
  });

  it('answers every page path with the one shell, whose script picks the page; each page keeps its CSP', async () => {
    // The same shell, its head naming the page's title and its own stylesheets and modules
    // (src/web/pages.ts, src/web/page-preload.ts).
    const named = /\n\s*<link rel="(?:modulepreload|stylesheet)"[^>]*>|<title>[^<]*<\/title>/g;
    const shell = (await t.http.get('/').expect(200)).text.replace(named, '');
    for (const path of ['/login', '/merchant/orders', '/products/x', '/studio', '/checkout']) {
      expect((await t.http.get(path).expect(200)).text.replace(named, '')).toBe(shell);
    }
    // Each with its title before any script runs (what a tab, a bookmark or a screen reader shows).
    expect((await t.http.get('/merchant/orders').expect(200)).text).toContain(
      '<title>Orders · livecart</title>',
    );
    expect((await t.http.get('/login').expect(200)).text).toMatch(
      /<link rel="modulepreload" crossorigin href="\/assets\/login-[\w-]+\.js" \/>/,
    );
    const own = (await t.http.get('/orders').expect(200)).headers['content-security-policy'];
    expect(own).toContain(`frame-ancestors 'self'`);
    // The simulated provider's page is its own: it says nothing of who may frame it.
    const provider = (await t.http.get('/checkout').expect(200)).headers['content-security-policy'];
    expect(provider).toContain("script-src 'self'");
    expect(provider).not.toContain('frame-ancestors');
    await t.http.get('/merchant/nothing-here').expect(404);
  });

  it('answers CORS preflights for every method the API uses, exposing the headers clients read', async () => {
    for (const [method, path] of [
      ['PATCH', '/api/products/00000000-0000-4000-8000-000000000000'],
      ['DELETE', '/whip/00000000-0000-4000-8000-000000000000/sessions/x'],
      ['PUT', '/api/merchant/settings'],
      ['POST', '/api/orders'],
    ]) {
      const res = await t.http
        .options(path)
        .set('Origin', 'https://shop.example')
        .set('Access-Control-Request-Method', method)
        .set('Access-Control-Request-Headers', 'authorization, content-type, idempotency-key');
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe('https://shop.example');
      expect(res.headers['access-control-allow-methods']).toContain(method);
      expect(res.headers['access-control-allow-headers']).toContain('idempotency-key');
    }
    const res = await t.http.get('/health').set('Origin', 'https://shop.example');
    expect(res.headers['access-control-expose-headers']).toContain('Location');
  });
});
