// The signed-in session (docs/api.md, "The token contract"). The access token
// lives minutes and is kept in localStorage with the user; the refresh token
// is an httpOnly cookie (`lc_refresh`, path /api/auth) this script never sees.
// A minute before the access token expires, and on a 401, the page asks
// POST /api/auth/refresh for a new one; other code takes it with freshToken()
// and hears of it through the `livecart:token` window event.
import type { User } from './types';

const TOKEN = 'livecart.token';
const USER = 'livecart.user';
const EXPIRES = 'livecart.expiresAt';
const REFRESH_AHEAD_MS = 60_000;
/** Fired on window with the new access token as `detail`. */
export const TOKEN_EVENT = 'livecart:token';

export interface SignedIn {
  accessToken: string;
  user: User;
  /** Seconds the access token is valid for. */
  expiresIn?: number;
}

export const session = {
  get token(): string | null {
    return localStorage.getItem(TOKEN);
  },
  get user(): User | null {
    try {
      const u = JSON.parse(localStorage.getItem(USER) ?? 'null') as User | null;
      return u && Array.isArray(u.roles) ? u : null;
    } catch {
      return null;
    }
  },
  /** When the access token expires (ms since the epoch); 0 when unknown. */
  get expiresAt(): number {
    return Number(localStorage.getItem(EXPIRES) ?? 0);
  },
  save(s: SignedIn): void {
    localStorage.setItem(TOKEN, s.accessToken);
    localStorage.setItem(USER, JSON.stringify(s.user));
    if (s.expiresIn) localStorage.setItem(EXPIRES, String(Date.now() + s.expiresIn * 1000));
    else localStorage.removeItem(EXPIRES);
    scheduleRefresh();
    window.dispatchEvent(new CustomEvent<string>(TOKEN_EVENT, { detail: s.accessToken }));
  },
  clear(): void {
    localStorage.removeItem(TOKEN);
    localStorage.removeItem(USER);
    localStorage.removeItem(EXPIRES);
  },
  /** Whether the signed-in user has the role (an admin has every role). */
  can(role: 'viewer' | 'streamer' | 'merchant' | 'admin'): boolean {
    const roles = this.user?.roles ?? [];
    return roles.includes(role) || roles.includes('admin');
  },
};

let refreshing: Promise<string | null> | null = null;

/**
 * A new access token from the refresh cookie, one request at a time per page.
 * Null when the session is over (the page is then signed out).
 */
export function refreshSession(): Promise<string | null> {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
      if (!res.ok) {
        if (res.status === 401) session.clear();
        return null;
      }
      const s = (await res.json()) as SignedIn;
      session.save(s);
      return s.accessToken;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** The access token, renewed first when it is about to expire; null when signed out. */
export async function freshToken(): Promise<string | null> {
  if (!session.token) return null;
  if (session.expiresAt && session.expiresAt - Date.now() < REFRESH_AHEAD_MS) {
    return (await refreshSession()) ?? session.token;
  }
  return session.token;
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
function scheduleRefresh(): void {
  clearTimeout(refreshTimer);
  if (!session.token || !session.expiresAt) return;
  const ms = Math.max(5_000, session.expiresAt - Date.now() - REFRESH_AHEAD_MS);
  refreshTimer = setTimeout(() => void refreshSession(), ms);
}
scheduleRefresh();

/** Signs this browser out: the refresh cookie is revoked, the access token forgotten. */
export async function signOut(): Promise<void> {
  await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
  session.clear();
}

/**
 * The page to go to after signing in: `next` when it is a path of this site,
 * else `/`. Resolved as the browser will resolve it, so `/\evil.example`,
 * `//evil.example` and `/%09/evil.example` (tabs are dropped) cannot leave.
 */
export function safeNext(next: string | null, origin = location.origin): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  try {
    const url = new URL(next, origin);
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

export function loginUrl(back = location.pathname + location.search): string {
  return `/login?next=${encodeURIComponent(back)}`;
}
