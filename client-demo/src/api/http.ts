// The one fetch wrapper: JSON in and out, the session's bearer token, and the
// server's error body turned into an ApiError.
import { ApiError } from './errors';
import { freshToken, refreshSession } from './session';

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/**
 * Sends with the freshest access token; a 401 (expired meanwhile, or revoked
 * by a role change or a sign-out elsewhere) gets one refresh and one retry.
 */
async function authorized(send: (token: string | null) => Promise<Response>): Promise<Response> {
  const token = await freshToken();
  const res = await send(token);
  if (res.status !== 401 || !token) return res;
  const renewed = await refreshSession();
  return renewed ? send(renewed) : res;
}

export async function request<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  let res: Response;
  try {
    res = await authorized((token) => {
      const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
      if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
      if (token) headers.Authorization = `Bearer ${token}`;
      return fetch(path, {
        method: opts.method ?? 'GET',
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      });
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', 'network');
  }
  const json = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as unknown) : null;
  if (!res.ok) throw ApiError.fromBody(res.status, json);
  return json as T;
}

/** A query string of the defined values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Downloads a report as a file (the same endpoint with Accept: text/csv). */
export async function download(path: string, filename: string): Promise<void> {
  const res = await authorized((token) =>
    fetch(path, { headers: { Accept: 'text/csv', ...(token ? { Authorization: `Bearer ${token}` } : {}) } }),
  );
  if (!res.ok) throw ApiError.fromBody(res.status, await res.json().catch(() => null));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Sends a file as the request body (its own Content-Type), as the picture upload reads it. */
export async function upload<T>(path: string, file: Blob): Promise<T> {
  let res: Response;
  try {
    res = await authorized((token) =>
      fetch(path, {
        method: 'POST',
        headers: {
          Accept: 'application/json',
          'Content-Type': file.type || 'application/octet-stream',
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: file,
      }),
    );
  } catch {
    throw new ApiError(0, 'network', 'network');
  }
  const json = res.headers.get('content-type')?.includes('json') ? ((await res.json()) as unknown) : null;
  if (!res.ok) throw ApiError.fromBody(res.status, json);
  return json as T;
}
