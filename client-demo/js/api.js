// Tiny API helper shared by the pages. Everything user-provided is rendered
// with textContent, never innerHTML.
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
  save(session) {
    localStorage.setItem('livecart.token', session.accessToken);
    localStorage.setItem('livecart.user', JSON.stringify(session.user));
  },
  clear() {
    localStorage.removeItem('livecart.token');
    localStorage.removeItem('livecart.user');
  },
};

export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  const h = { ...headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (auth.token) h.Authorization = `Bearer ${auth.token}`;
  const res = await fetch(path, {
    method,
    headers: h,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text();
  if (!res.ok) throw new Error(data?.error?.message ?? `HTTP ${res.status}`);
  return data;
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
        onclick: (ev) => {
          ev.preventDefault();
          auth.clear();
          location.href = '/';
        },
      }),
    );
  } else {
    nav.append(el('a', { href: '/login', text: 'Sign in' }));
  }
  nav.append(el('a', { href: '/api/docs', text: 'API' }));
}
