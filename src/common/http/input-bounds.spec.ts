import { jsonTextProblem, MAX_JSON_DEPTH, valueProblem } from './input-bounds';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('jsonTextProblem', () => {
  it('lets ordinary JSON through', () => {
    expect(jsonTextProblem('{"a":[1,{"b":"x\\\\u0000"}],"c":"\\u00e9"}')).toBeUndefined();
    expect(jsonTextProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
  });

  it('refuses nesting beyond the limit, whatever the text after it', () => {
    expect(jsonTextProblem(nested(MAX_JSON_DEPTH + 1))).toMatchObject({
      code: 'too_deep',
      message: expect.stringMatching(/nested more than 32 levels/),
    });
    expect(jsonTextProblem('{"a":' + '['.repeat(3000))).toMatchObject({
      code: 'too_deep',
      message: expect.stringMatching(/nested/),
    });
  });

  it('does not count brackets inside strings', () => {
    expect(jsonTextProblem(JSON.stringify({ a: '['.repeat(100) }))).toBeUndefined();
    expect(jsonTextProblem(JSON.stringify({ a: '"\\[' }) + '[]')).toBeUndefined();
  });

  it('refuses NUL characters in strings', () => {
    expect(jsonTextProblem(JSON.stringify({ email: 'a\u0000b@x.io' }))).toMatchObject({
      code: 'nul_character',
      message: expect.stringMatching(/NUL/),
    });
  });

  it('refuses half a million levels, closed or not, as too deep', () => {
    expect(jsonTextProblem(nested(500_000))).toMatchObject({
      code: 'too_deep',
      message: expect.stringMatching(/nested/),
    });
    expect(jsonTextProblem('['.repeat(500_000))?.code).toBe('too_deep');
  });
});

describe('valueProblem', () => {
  it('lets ordinary values through', () => {
    expect(valueProblem([{ streamId: 'x', token: 'y' }])).toBeUndefined();
  });

  it('refuses deep values without recursion', () => {
    let v: unknown = 1;
    for (let i = 0; i < 100_000; i++) v = [v];
    expect(valueProblem(v)).toMatchObject({
      code: 'too_deep',
      message: expect.stringMatching(/nested more than/),
    });
  });

  it('refuses NUL characters in strings and keys', () => {
    expect(valueProblem({ text: 'a\u0000' })).toMatchObject({
      code: 'nul_character',
      message: expect.stringMatching(/NUL/),
    });
    expect(valueProblem({ ['k\u0000']: 1 })).toMatchObject({
      code: 'nul_character',
      message: expect.stringMatching(/NUL/),
    });
  });
});
