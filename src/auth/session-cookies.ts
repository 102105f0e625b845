import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The refresh token of a browser: httpOnly, SameSite=Strict, sent only to /api/auth. */
export const REFRESH_COOKIE = 'lc_refresh';
/** A browser that has signed in to an account before (passes that account's sign-in lock). */
export const DEVICE_COOKIE = 'lc_device';
/** Where both cookies are sent: the auth endpoints only, never the rest of the API. */
export const AUTH_COOKIE_PATH = '/api/auth';
/** How long a browser stays a known device of an account. */
export const DEVICE_TTL_SECONDS = 365 * 24 * 3600;

/** One cookie of a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** A Set-Cookie value for the auth cookies (Max-Age 0 clears it). */
export function authCookie(name: string, value: string, maxAgeSeconds: number, secure: boolean): string {
  return [
    `${name}=${value}`,
    `Path=${AUTH_COOKIE_PATH}`,
    `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Strict',
    ...(secure ? ['Secure'] : []),
  ].join('; ');
}

/**
 * Device tokens: `<device id>.<HMAC(user id, device id)>`, made when a user
 * signs in from a browser (or an app that keeps it) and shown back at the
 * next sign-in. A stranger guessing passwords locks the account for unknown
 * devices only; the owner's known device still gets in with the right
 * password. Stateless: the key is derived from the JWT secret.
 */
export class DeviceTokens {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('livecart device tokens').digest();
  }

  issue(userId: string): string {
    const device = randomBytes(16).toString('base64url');
    return `${device}.${this.mac(userId, device)}`;
  }

  verify(token: unknown, userId: string): boolean {
    if (typeof token !== 'string' || token.length > 200) return false;
    const [device, mac] = token.split('.');
    if (!device || !mac) return false;
    const got = Buffer.from(mac, 'base64url');
    const want = Buffer.from(this.mac(userId, device), 'base64url');
    return got.length === want.length && timingSafeEqual(got, want);
  }

  private mac(userId: string, device: string): string {
    return createHmac('sha256', this.key).update(`${userId}:${device}`).digest('base64url');
  }
}
