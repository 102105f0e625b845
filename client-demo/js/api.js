// Tiny API helper shared by the pages. Everything user-provided is rendered
// with textContent, never innerHTML.
//
// Sessions (docs/api.md#auth): the access token lives 15 minutes and is kept in
// localStorage; the refresh token is an httpOnly cookie this script never sees.
// Before the access token expires (and on a 401) the page asks
// POST /api/auth/refresh for a new one; other code gets it with freshToken()
// and hears of it through the `livecart:token` window event.
const REFRESH_AHEAD_MS = 60_000;

export const auth = {
  get token() {
    return localStorage.getItem('livecart.token');
  },
  get user() {
    try {
      return JSON.parse(localStorage.getItem('livecart.user') || 'null');
    } catch {
      return null;
    }
  },
  /** When the access token expires (ms since the epoch); 0 when unknown. */
  get expiresAt() {
    return Number(localStorage.getItem('livecart.expiresAt') || 0);
  },
  save(session) {
    localStorage.setItem('livecart.token', session.accessToken);
    localStorage.setItem('livecart.user', JSON.stringify(session.user));
    if (session.expiresIn) {
      localStorage.setItem('livecart.expiresAt', String(Date.now() + session.expiresIn * 1000));
    }
    scheduleRefresh();
    window.dispatchEvent(new CustomEvent('livecart:token', { detail: session.accessToken }));
  },
  clear() {
    localStorage.removeItem('livecart.token');
    localStorage.removeItem('livecart.user');
    localStorage.removeItem('livecart.expiresAt');
  },
};

let refreshing = null;

/**
 * A new access token from the refresh cookie (one request at a time per page).
 * Resolves with the token, or null when the session is over (then signed out).
 */
export function refreshSession() {
  refreshing ??= (async () => {
    try {
      const res = await fetch('/api/auth/refresh', { method: 'POST', credentials: 'same-origin' });
      if (!res.ok) {
        if (res.status === 401) auth.clear();
        return null;
      }
      const session = await res.json();
      auth.save(session);
      return session.accessToken;
    } catch {
      return null;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

/** The access token, renewed first when it is about to expire; null when signed out. */
export async function freshToken() {
  if (!auth.token) return null;
  if (auth.expiresAt && auth.expiresAt - Date.now() < REFRESH_AHEAD_MS)
    return (await refreshSession()) ?? auth.token;
  return auth.token;
}

let refreshTimer;
function scheduleRefresh() {
  clearTimeout(refreshTimer);
  if (!auth.token || !auth.expiresAt) return;
  const ms = Math.max(5_000, auth.expiresAt - Date.now() - REFRESH_AHEAD_MS);
  refreshTimer = setTimeout(() => void refreshSession(), ms);
}
scheduleRefresh();

/** Signs this browser out: the refresh cookie is revoked, the access token forgotten. */
export async function signOut() {
  await fetch('/api/auth/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => undefined);
  auth.clear();
}

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const send = async (token) => {
    const h = { ...headers };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    if (token) h.Authorization = `Bearer ${token}`;
    return fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body) });
  };
  const token = await freshToken();
  let res = await send(token);
  if (res.status === 401 && token) {
    // Revoked (roles changed, signed out elsewhere) or expired meanwhile: one refresh, one retry.
    const renewed = await refreshSession();
    if (renewed) res = await send(renewed);
  }
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
  return data;
}

/**
 * The page to go to after signing in: `next` when it is a path of this site,
 * else `/`. Resolved the way the browser will resolve it, so `/\evil.example`,
 * `//evil.example` and `/%09/evil.example` (tabs are dropped) cannot leave.
 */
export function safeNext(next, origin = location.origin) {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  try {
    const url = new URL(next, origin);
    return url.origin === origin ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
}

export function renderHeader() {
  const nav = document.querySelector('header nav');
  if (!nav) return;
  nav.replaceChildren();
  const user = auth.user;
  if (user) {
    if (user.roles.includes('streamer') || user.roles.includes('admin'))
      nav.append(el('a', { href: '/studio', text: 'Studio' }));
    if (user.roles.includes('merchant') || user.roles.includes('admin'))
      nav.append(el('a', { href: '/merchant', text: 'Shop' }));
    nav.append(el('span', { class: 'muted', text: user.name }));
    nav.append(
      el('a', {
        href: '#',
        text: 'Sign out',
        onclick: async (ev) => {
          ev.preventDefault();
          await signOut();
          location.href = '/';
        },
      }),
    );
  } else {
    nav.append(el('a', { href: '/login', text: 'Sign in' }));
  }
  nav.append(el('a', { href: '/api/docs', text: 'API' }));
}
