import * as os from 'node:os';
import { ConfigError, firstExternalIpv4 } from './env';
import { loadConfig } from './config';

/** The problems of the one ConfigError loadConfig throws for `env`; no ConfigError fails the test. */
function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('gives working defaults for the embedded single-node mode', () => {
    const c = loadConfig({});
    expect(c.http.port).toBe(3000);
    expect(c.database.url).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.runWorkersInProcess).toBe(true);
    expect(c.http.bodyLimitBytes).toBe(64 * 1024);
    expect(c.http.trustedProxies).toBe('loopback');
    expect(c.http.publicUrl).toBe('http://localhost:3000');
  });

  it('names the variable when a value is bad', () => {
    expect(() => loadConfig({ PORT: 'abc' })).toThrow(/PORT must be an integer/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(
      /DATABASE_URL must be a postgres: or postgresql: URL/,
    );
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow(/REDIS_URL must be a URL/);
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of/);
  });

  it('takes the embedding sites as origins, or * for any', () => {
    expect(loadConfig({}).http.embedOrigins).toBe('*');
    expect(
      loadConfig({ EMBED_ALLOWED_ORIGINS: 'https://shop.example.com, http://127.0.0.1:8080' }).http
        .embedOrigins,
    ).toEqual(['https://shop.example.com', 'http://127.0.0.1:8080']);
    expect(problemsOf({ EMBED_ALLOWED_ORIGINS: 'https://shop.example.com/,shop.example.com' })).toEqual([
      'EMBED_ALLOWED_ORIGINS must list origins such as https://shop.example.com (no path or trailing slash), or be *; got "https://shop.example.com/"',
      'EMBED_ALLOWED_ORIGINS must list origins such as https://shop.example.com (no path or trailing slash), or be *; got "shop.example.com"',
    ]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      PORT: '0',
      SCRYPT_COST: '3000',
      MEDIASOUP_NUM_WORKERS: '4',
      MEDIASOUP_RTC_PORT: '65534',
    });
    expect(problems).toHaveLength(3);
  });

  it('holds the live room, reports, webhooks and HLS worker options in the same tree', () => {
    const c = loadConfig({ LIVE_CHAT_BATCH_MS: '200', REPORTS_FOLD_MS: '100', HLS_WORKER_CONCURRENCY: '3' });
    expect(c.live.chatBatchMs).toBe(200);
    expect(c.live.chatBurst).toBe(5);
    expect(c.reports).toEqual({ foldMs: 100, foldBatch: 5000, foldMaxPercent: 20 });
    expect(c.webhooks.allowPrivate).toBe(false);
    expect(c.hls.concurrency).toBe(3);
  });

  it('lists the bad variables of every part of the tree in one error', () => {
    const problems = problemsOf({
      PORT: 'abc',
      LIVE_CHAT_BATCH_MS: '1000',
      REPORTS_FOLD_BATCH: '1',
      WEBHOOK_ALLOW_PRIVATE: 'maybe',
      HLS_WORKER_CONCURRENCY: '0',
    });
    expect(problems.map((p) => p.split(' ')[0])).toEqual([
      'PORT',
      'HLS_WORKER_CONCURRENCY',
      'LIVE_CHAT_BATCH_MS',
      'REPORTS_FOLD_BATCH',
      'WEBHOOK_ALLOW_PRIVATE',
    ]);
  });

  it('requires a strong JWT secret in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/at least 32/);
    const prod = {
      NODE_ENV: 'production',
      JWT_SECRET: 'x'.repeat(32),
      PAYMENT_WEBHOOK_SECRET: 'y'.repeat(32),
    };
    expect(loadConfig(prod).auth.jwtSecret).toHaveLength(32);
    expect(() => loadConfig({ ...prod, PAYMENT_WEBHOOK_SECRET: '' })).toThrow(
      /PAYMENT_WEBHOOK_SECRET is required/,
    );
  });

  it('uses Redis-backed workers out of process when REDIS_URL is set', () => {
    const c = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(c.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(c.runWorkersInProcess).toBe(false);
  });

  it("takes HLS_RTP_HOST=auto as this machine's first non-loopback IPv4", () => {
    const nic = (address: string, family: 'IPv4' | 'IPv6', internal: boolean) =>
      ({ address, family, internal }) as os.NetworkInterfaceInfo;
    expect(
      firstExternalIpv4({
        lo: [nic('127.0.0.1', 'IPv4', true)],
        eth0: [nic('fe80::1', 'IPv6', false), nic('172.18.0.5', 'IPv4', false)],
      }),
    ).toBe('172.18.0.5');
    expect(firstExternalIpv4({ lo: [nic('127.0.0.1', 'IPv4', true)] })).toBeUndefined();
    const here = firstExternalIpv4();
    if (here) expect(loadConfig({ HLS_RTP_HOST: 'auto' }).hls.rtpHost).toBe(here);
    else
      expect(() => loadConfig({ HLS_RTP_HOST: 'auto' })).toThrow(/HLS_RTP_HOST=auto found no non-loopback/);
    // Only where the option says so.
    expect(() => loadConfig({ MEDIASOUP_LISTEN_IP: 'auto' })).toThrow(/MEDIASOUP_LISTEN_IP must be an IPv4/);
  });
});
