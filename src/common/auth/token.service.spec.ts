import { createHmac } from 'node:crypto';
import { UnauthorizedError } from '../errors/domain-errors';
import type { AuthUser } from './roles';
import { TokenService } from './token.service';

const SECRET = 'a-test-secret-of-at-least-thirty-two-chars';
const user: AuthUser = { id: 'u-1', email: 'a@b.c', name: 'Ada Lovelace', roles: ['viewer'] };

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
/** A token signed by hand, to say exactly what the verifier gets. */
function forge(header: object, claims: object, secret = SECRET): string {
  const body = `${b64(header)}.${b64(claims)}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}
const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: object = {}) => ({
  sub: user.id,
  email: user.email,
  name: user.name,
  roles: user.roles,
  ver: 3,
  iat: now(),
  exp: now() + 60,
  ...extra,
});

describe('TokenService', () => {
  const tokens = new TokenService(SECRET);

  it('verifies the tokens it issues, with the token version they carry', () => {
    expect(tokens.verify(tokens.issue(user, 3, 60))).toEqual({ ...user, ver: 3, exp: expect.any(Number) });
    expect(tokens.verify(forge({ alg: 'HS256' }, claims()))).toEqual({ ...user, ver: 3, exp: now() + 60 });
  });

  it.each([
    [
      'another secret',
      forge({ alg: 'HS256', typ: 'JWT' }, claims(), 'another-secret-of-at-least-32-chars!!'),
    ],
    ['alg none', `${b64({ alg: 'none' })}.${b64(claims())}.`],
    ['alg none with a signature', forge({ alg: 'none' }, claims())],
    ['another algorithm', forge({ alg: 'HS512', typ: 'JWT' }, claims())],
    ['another typ', forge({ alg: 'HS256', typ: 'JWE' }, claims())],
    ['an expired token', forge({ alg: 'HS256' }, claims({ exp: now() - 1 }))],
    ['no expiry', forge({ alg: 'HS256' }, { ...claims(), exp: undefined })],
    ['a token not valid yet', forge({ alg: 'HS256' }, claims({ nbf: now() + 60 }))],
    ['a role that does not exist', forge({ alg: 'HS256' }, claims({ roles: ['root'] }))],
    ['no subject', forge({ alg: 'HS256' }, claims({ sub: 42 }))],
    [
      'no token version (issued before versions existed)',
      forge({ alg: 'HS256' }, claims({ ver: undefined })),
    ],
    ['a token version that is not a whole number', forge({ alg: 'HS256' }, claims({ ver: '3' }))],
    ['two segments', 'abc.def'],
    ['four segments', `${forge({ alg: 'HS256' }, claims())}.x`],
    ['garbage', 'not a token at all'],
    ['a payload that is not JSON', `${b64({ alg: 'HS256' })}.bm90IGpzb24.sig`],
  ])('refuses %s', (_what, token) => {
    expect(() => tokens.verify(token)).toThrow(UnauthorizedError);
  });

  it('refuses a token whose payload was changed after signing', () => {
    const [h, , s] = tokens.issue(user, 3, 60).split('.');
    const forged = `${h}.${b64(claims({ roles: ['admin'] }))}.${s}`;
    expect(() => tokens.verify(forged)).toThrow(UnauthorizedError);
  });
});
