import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import * as http from 'node:http';
import * as https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { signWebhook } from '../common/crypto/webhook-signature';
import { isPrivateAddress } from './url-guard';
import { HEADERS } from './webhook-events';

export interface SendResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
}

/**
 * A DNS lookup that refuses private addresses: the check runs on the address
 * the socket actually connects to, so a name that resolves to a public
 * address at registration and to 127.0.0.1 later (DNS rebinding) is refused.
 */
function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 4);
      const ok = allowPrivate ? addresses : addresses.filter((a) => !isPrivateAddress(a.address));
      if (ok.length === 0) {
        return callback(new Error(`${hostname} resolves to a private address`), '', 4);
      }
      if ((options as { all?: boolean }).all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, ok);
      callback(null, ok[0].address, ok[0].family);
    });
  };
}

/**
 * POSTs one signed delivery. Redirects are not followed (a 3xx is a failed
 * attempt): following them would bypass the address check.
 */
export function sendWebhook(
  url: string,
  secret: string,
  body: string,
  meta: { event: string; deliveryId: string },
  opts: { allowPrivate: boolean; timeoutMs: number; now?: number },
): Promise<SendResult> {
  const u = new URL(url);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!opts.allowPrivate && isIP(host) !== 0 && isPrivateAddress(host)) {
    return Promise.resolve({ ok: false, statusCode: null, error: 'url points to a private address' });
  }
  const timestamp = Math.floor((opts.now ?? Date.now()) / 1000);
  const lib = u.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = lib.request(
      u,
      {
        method: 'POST',
        lookup: guardedLookup(opts.allowPrivate),
        timeout: opts.timeoutMs,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          'User-Agent': 'livecart-webhooks/1',
          [HEADERS.signature]: signWebhook(secret, body, timestamp),
          [HEADERS.timestamp]: String(timestamp),
          [HEADERS.event]: meta.event,
          [HEADERS.delivery]: meta.deliveryId,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          const ok = code >= 200 && code < 300;
          resolve({ ok, statusCode: code, error: ok ? null : `receiver answered ${code}` });
        });
        res.on('error', (e) => resolve({ ok: false, statusCode: res.statusCode ?? null, error: e.message }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, statusCode: null, error: e.message.slice(0, 500) }));
    req.end(body);
  });
}
