// The signed-in session, kept in localStorage (the keys the pages have always used).
import type { User } from './types';

const TOKEN = 'livecart.token';
const USER = 'livecart.user';

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
  save(s: { accessToken: string; user: User }): void {
    localStorage.setItem(TOKEN, s.accessToken);
    localStorage.setItem(USER, JSON.stringify(s.user));
  },
  clear(): void {
    localStorage.removeItem(TOKEN);
    localStorage.removeItem(USER);
  },
  /** Whether the signed-in user has the role (an admin has every role). */
  can(role: 'viewer' | 'streamer' | 'merchant' | 'admin'): boolean {
    const roles = this.user?.roles ?? [];
    return roles.includes(role) || roles.includes('admin');
  },
};

/** A same-site path to come back to after signing in (never another origin). */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function loginUrl(back = location.pathname + location.search): string {
  return `/login?next=${encodeURIComponent(back)}`;
}
