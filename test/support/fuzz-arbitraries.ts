import fc from 'fast-check';

/**
 * fast-check arbitraries for fuzzing the API from its OpenAPI document:
 * values that follow a field's schema (so requests get past the first check
 * and into the code behind it) mixed with values chosen to break things
 * (NUL and bidi characters, huge and fractional numbers, impossible dates,
 * null, deep and wide values, malformed JSON and SDP).
 */

export type Role = 'anonymous' | 'viewer' | 'streamer' | 'merchant' | 'admin';

export interface Schema {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  nullable?: boolean;
  example?: unknown;
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  allOf?: Schema[];
  oneOf?: Schema[];
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header';
  schema?: Schema;
}

export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

export interface OpenApiDoc {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

/** Real ids and secrets of the fixtures, so generated requests reach past "not found". */
export interface FuzzPools {
  ids: string[];
  streamId: string;
  streamKey: string;
  sdpFixtures: string[];
}

/** A generated body: its Content-Type (undefined: none sent) and payload (undefined: none). */
export interface GeneratedBody {
  contentType?: string;
  payload?: string | object;
}

/** null, except once in `oneIn` draws a value of `arb`. */
export function rarely<T>(arb: fc.Arbitrary<T>, oneIn = 10): fc.Arbitrary<T | null> {
  return fc.oneof({ weight: oneIn - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: arb });
}

/** A generated string as a URL path segment (lone surrogates become U+FFFD, as a client would send them). */
export function pathSegment(s: string): string {
  return encodeURIComponent(Buffer.from(s, 'utf8').toString('utf8'));
}

/** Follows `$ref`s (and merges `allOf`) so the generators see plain schemas. */
export function resolveSchema(doc: OpenApiDoc, schema: Schema | undefined, depth = 0): Schema {
  if (!schema || depth > 8) return {};
  if (schema.$ref) {
    const name = schema.$ref.split('/').pop()!;
    return resolveSchema(doc, doc.components?.schemas?.[name], depth + 1);
  }
  const out: Schema = { ...schema };
  if (schema.allOf) Object.assign(out, ...schema.allOf.map((s) => resolveSchema(doc, s, depth + 1)));
  if (schema.items) out.items = resolveSchema(doc, schema.items, depth + 1);
  if (schema.properties) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, v]) => [k, resolveSchema(doc, v, depth + 1)]),
    );
  }
  return out;
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b@x.io',
  '\u202eevil\u202c',
  '\u2066x\u2069',
  '\r\n',
  '\ud800',
  '💥'.repeat(300),
  'x'.repeat(5000),
  '2026-13-45T00:00Z',
  '2026-02-30T25:61:00+99:00',
  '0000-00-00',
  '1e20',
  '-1',
  '9223372036854775808',
  '-9223372036854775809',
  '1.5',
  'NaN',
  'Infinity',
  'null',
  'true',
  '[]',
  '{}',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  "'; DROP TABLE users; --",
  '../../etc/passwd',
  '%00',
  '%',
  '/\\evil.example',
  'javascript:alert(1)',
  'http://169.254.169.254/latest',
  'a=extmap:0 urn:x',
];

/** Strings chosen to break parsers, databases and validators, and real ids. */
export function nastyText(pools: FuzzPools): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.constantFrom(...pools.ids) },
    { weight: 1, arbitrary: fc.uuid() },
    { weight: 1, arbitrary: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
    { weight: 1, arbitrary: fc.integer().map(String) },
  );
}

const NASTY_NUMBERS = [
  0,
  -1,
  1.5,
  -0.5,
  2 ** 31,
  2 ** 31 - 1,
  2 ** 53,
  Number.MAX_SAFE_INTEGER + 2,
  1e20,
  -1e20,
  1e308,
  Number.MIN_VALUE,
];

/** Any JSON value, with a taste for the ones that break things. */
export function nastyValue(pools: FuzzPools): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 3, arbitrary: nastyText(pools) },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(null, true, false, ...NASTY_NUMBERS) },
    { weight: 1, arbitrary: fc.integer() },
    { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 20, max: 200 }).map((depth) => {
        let v: unknown = 1;
        for (let i = 0; i < depth; i++) v = [v];
        return v;
      }),
    },
  );
}

/** A value that follows the schema most of the time (so the code behind validation runs), else a nasty one. */
export function valueFor(schema: Schema, pools: FuzzPools, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: validValue(schema, pools, depth) },
    { weight: 2, arbitrary: nastyValue(pools) },
    // Optional fields sent as null: "absent" to some validators, a NOT NULL violation to the database.
    { weight: 1, arbitrary: fc.constant(null) },
  );
}

function validValue(schema: Schema, pools: FuzzPools, depth: number): fc.Arbitrary<unknown> {
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  // The documented example is valid by construction: the field gets past validation, and the
  // request on to whatever one bad field beside it does.
  if (schema.example !== undefined && typeof schema.example !== 'object') {
    return fc.oneof(
      { weight: 3, arbitrary: fc.constant(schema.example) },
      { weight: 1, arbitrary: validByType(schema, pools, depth) },
    );
  }
  return validByType(schema, pools, depth);
}

function validByType(schema: Schema, pools: FuzzPools, depth: number): fc.Arbitrary<unknown> {
  if (schema.format === 'uuid') return fc.oneof(fc.constantFrom(...pools.ids), fc.uuid());
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  switch (schema.type) {
    case 'integer':
    case 'number': {
      const min = schema.minimum ?? -1000;
      const max = schema.maximum ?? 1_000_000;
      return fc.oneof(
        fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }),
        fc.constantFrom(min, max),
      );
    }
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 3
        ? fc.constant([])
        : fc.array(valueFor(schema.items ?? {}, pools, depth + 1), {
            maxLength: Math.min(schema.maxItems ?? 5, 5) + 1,
          });
    case 'object':
      return depth > 3 ? fc.constant({}) : objectFor(schema, pools, depth + 1);
    case 'string':
      return fc.oneof(
        fc.string({ minLength: schema.minLength ?? 0, maxLength: Math.min(schema.maxLength ?? 60, 60) }),
        fc.constantFrom('USD', 'EUR', 'ana@example.com', 'https://example.com/x.jpg', 'Europe/Paris', 'UTC'),
      );
    default:
      return nastyValue(pools);
  }
}

const ABSENT = Symbol('absent');

/**
 * An object of a schema's properties: a valid one (each optional field
 * present or not), then up to two fields replaced by a nasty value or null,
 * and now and then a field nobody declared. Mostly valid, so that one bad
 * field at a time reaches the code behind validation.
 */
export function objectFor(
  schema: Schema,
  pools: FuzzPools,
  depth = 0,
): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const names = Object.keys(props);
  const required = schema.required ?? [];
  // Required fields always, optional ones one time in three (two optional fields together
  // are sometimes refused: `stock` and `stockDelta`).
  const valid = fc
    .record(
      Object.fromEntries(
        Object.entries(props).map(([k, s]) => [
          k,
          required.includes(k)
            ? validValue(s, pools, depth)
            : fc.oneof(
                { weight: 2, arbitrary: fc.constant(ABSENT) },
                { weight: 1, arbitrary: validValue(s, pools, depth) },
              ),
        ]),
      ),
    )
    .map((o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== ABSENT)));
  const bad = fc.oneof(nastyValue(pools), fc.constant(null));
  const mutations = names.length
    ? fc.array(fc.tuple(fc.constantFrom(...names), bad), { maxLength: 2 })
    : fc.constant([] as [string, unknown][]);
  const extra = rarely(fc.tuple(fc.constantFrom('isAdmin', 'extra', ''), nastyValue(pools)), 8);
  return fc.tuple(valid, mutations, extra).map(([o, muts, x]) => {
    const out: Record<string, unknown> = { ...o };
    for (const [k, v] of muts) out[k] = v;
    if (x) out[x[0]] = x[1];
    return out;
  });
}

/** A query string for the declared query parameters, with junk keys and raw bytes now and then. */
export function queryFor(params: OpenApiParameter[], pools: FuzzPools): fc.Arbitrary<string> {
  const numeric = fc.constantFrom(
    '1e20',
    '9223372036854775808',
    '-9223372036854775809',
    '1.5',
    '-5',
    '0',
    '201',
    '0x10',
    ' 7',
    '1e2',
  );
  const dates = fc.constantFrom(
    '2026-13-45T00:00Z',
    '2026-02-30T00:00:00Z',
    '+275760-09-13T00:00:00Z',
    '2026-01-01T00:00:00+99:99',
    '1970-01-01',
    '9999-12-31T23:59:59.999Z',
  );
  const valid = fc.record(
    Object.fromEntries(
      params.map((p) => [p.name, validValue(p.schema ?? {}, pools, 0).map((v) => String(v))]),
    ),
    { requiredKeys: [] },
  );
  // A bad value in the param's own line of work: numbers for numbers, dates and junk for strings.
  const badFor = (p: OpenApiParameter) =>
    p.schema?.type === 'number' || p.schema?.type === 'integer'
      ? fc.oneof({ weight: 3, arbitrary: numeric }, { weight: 1, arbitrary: nastyText(pools) })
      : fc.oneof(nastyText(pools), dates, numeric);
  const mutations = params.length
    ? fc.array(
        fc
          .integer({ min: 0, max: params.length - 1 })
          .chain((i) => badFor(params[i]).map((v) => [params[i].name, v] as [string, string])),
        { maxLength: 2 },
      )
    : fc.constant([] as [string, string][]);
  const extraKeys = [
    '_HLS_msn',
    '_HLS_part',
    '_HLS_skip',
    'mine',
    'before',
    'status',
    'limit',
    'offset',
    'token',
    'next',
  ];
  return fc
    .tuple(
      valid,
      mutations,
      rarely(fc.tuple(fc.constantFrom(...extraKeys), fc.oneof(nastyText(pools), numeric)), 10),
      rarely(fc.constantFrom('%00', 'limit=1&limit=2', 'a[b]=c', '%E0%A4%A', '=', '&&'), 8),
    )
    .map(([values, muts, extra, raw]) => {
      const all: Record<string, string | undefined> = { ...values };
      for (const [k, v] of muts) all[k] = v;
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(all)) if (v !== undefined) q.append(k, v);
      if (extra) q.append(extra[0], extra[1]);
      return [q.toString(), raw].filter(Boolean).join('&');
    });
}

/** A WHIP/WHEP offer: a real client's, with lines dropped, repeated or given odd values. */
export function sdpOffer(pools: FuzzPools): fc.Arbitrary<string> {
  const oddLine = fc.oneof(
    fc.constantFrom(
      'a=extmap:0 urn:ietf:params:rtp-hdrext:sdes:mid',
      'a=extmap:15 urn:ietf:params:rtp-hdrext:sdes:mid',
      'a=extmap:256 urn:3gpp:video-orientation',
      'a=extmap:-1 x',
      'a=rtpmap:96 VP8/0',
      'a=rtpmap:300 H264/90000',
      'a=rtpmap:96 opus/48000/0',
      'a=fmtp:96 profile-level-id=zzzzzz;packetization-mode=7',
      'a=rid:h send pt=999',
      'a=simulcast:send h;m;l;x;y;z',
      'a=ssrc:0 cname:x',
      'a=ssrc-group:FID 1',
      'a=setup:holdconn',
      'a=fingerprint:sha-256 ZZ',
      'm=video 0 UDP/TLS/RTP/SAVPF',
      'm=audio 9 RTP/AVP 0',
      'a=mid:',
      'a=group:BUNDLE',
      'a=ice-ufrag:',
      'a=rtcp-fb:* nack',
    ),
    fc.string({ maxLength: 60 }).map((s) => `a=${s}`),
  );
  return fc
    .tuple(
      fc.constantFrom(...pools.sdpFixtures),
      fc.array(fc.tuple(fc.nat(), fc.oneof(oddLine, fc.constant(null))), { maxLength: 6 }),
    )
    .map(([sdp, edits]) => {
      const lines = sdp.split(/\r?\n/);
      for (const [at, line] of edits) {
        const i = at % lines.length;
        if (line === null) lines.splice(i, 1);
        else lines.splice(i, 0, line);
      }
      return lines.join('\r\n');
    });
}

/** A body for an operation: mostly its own content type and schema, sometimes anything. */
export function bodyFor(
  contents: { type: string; schema: Schema }[],
  pools: FuzzPools,
  template: string,
): fc.Arbitrary<GeneratedBody> {
  const media = template.startsWith('/whip/') || template.startsWith('/whep/');
  const any: fc.Arbitrary<GeneratedBody> = fc.oneof(
    fc.constant<GeneratedBody>({}),
    nastyValue(pools).map((v) => ({ contentType: 'application/json', payload: JSON.stringify(v) })),
    fc.constantFrom('{"a": ', '[', '{"__proto__":{"x":1}}', '\u0000', '{"a":1}{"b":2}').map((p) => ({
      contentType: 'application/json',
      payload: p,
    })),
    fc
      .tuple(
        fc.constantFrom(
          'text/plain',
          'application/xml',
          'application/sdp',
          'application/trickle-ice-sdpfrag',
          'application/x-www-form-urlencoded',
          'multipart/form-data; boundary=x',
          'application/json; charset=utf-16',
        ),
        fc.oneof(nastyText(pools), fc.string({ maxLength: 200 })),
      )
      .map(([contentType, payload]) => ({ contentType, payload })),
  );
  if (media) {
    const fragment = fc
      .oneof(
        fc.constantFrom(
          'a=ice-ufrag:x\r\na=ice-pwd:y\r\n',
          'a=candidate:1 1 udp 1 127.0.0.1 9 typ host\r\n',
          'a=end-of-candidates\r\n',
          '',
        ),
        fc.string({ maxLength: 200 }),
        fc.integer({ min: 0, max: 40_000 }).map((n) => 'a=candidate:x\r\n'.repeat(n / 16)),
      )
      .map((payload) => ({ contentType: 'application/trickle-ice-sdpfrag', payload }));
    return fc.oneof(
      {
        weight: 3,
        arbitrary: sdpOffer(pools).map((payload) => ({ contentType: 'application/sdp', payload })),
      },
      { weight: 2, arbitrary: fragment },
      { weight: 1, arbitrary: any },
    );
  }
  const json = contents.find((c) => c.type === 'application/json');
  if (!json) return any;
  return fc.oneof(
    {
      weight: 4,
      arbitrary: objectFor(json.schema, pools).map((o) => ({ contentType: 'application/json', payload: o })),
    },
    { weight: 1, arbitrary: any },
  );
}

/** A path under an HLS route: well-formed names of parts that may or may not exist, and junk. */
export function hlsRequest(pools: FuzzPools, template: string): fc.Arbitrary<string> {
  const name = (good: string[]) => fc.oneof(fc.constantFrom(...good), nastyText(pools));
  return fc
    .record({
      streamId: fc.oneof(fc.constant(pools.streamId), fc.uuid(), nastyText(pools)),
      rendition: name(['720p', '480p', '360p', 'x']),
      file: name(['s1.m4s', 'p3.m4s', 'init.mp4', 's999999999.m4s', 'p0.m4s']),
      run: name(['r1', 'r0', 'r999999']),
    })
    .map((v) =>
      template
        .replace('{streamId}', pathSegment(v.streamId).slice(0, 300))
        .replace('{rendition}', pathSegment(v.rendition).slice(0, 300))
        .replace('{run}', pathSegment(v.run).slice(0, 300))
        .replace('{file}', pathSegment(v.file).slice(0, 300)),
    );
}
