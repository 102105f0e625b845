import * as os from 'node:os';
import * as path from 'node:path';
import { ConfigError, EnvReader } from './env';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The whole typed configuration, read once at boot. See `.env.example` for every option and default. */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: {
    host: string;
    port: number;
    /** Base URL that clients use to reach this server; used in WHIP/WHEP/HLS URLs. */
    publicUrl: string;
    /** Largest request body accepted, in bytes. Larger bodies get 413. */
    bodyLimitBytes: number;
    corsOrigins: string[] | '*';
  };
  logLevel: (typeof LOG_LEVELS)[number];
  dataDir: string;
  database: {
    /** Unset: an embedded PostgreSQL is started with its data under `dataDir/pg`. */
    url?: string;
    embeddedPort: number;
    poolSize: number;
  };
  /** Unset: in-process queue, pub/sub and live state (one node). */
  redisUrl?: string;
  /** Prefix of every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string;
  auth: {
    /** Unset outside production: generated once and kept in `dataDir/jwt-secret`. */
    jwtSecret?: string;
    tokenTtlSeconds: number;
    /** scrypt cost parameter N (memory = 128 * N * r bytes). */
    scryptCost: number;
  };
  /** Run queue processors (HLS, order expiry, webhooks) inside the app process. */
  runWorkersInProcess: boolean;
  orders: {
    /** How long an unpaid order holds its units before it expires (default 600 s). */
    holdSeconds: number;
    /** Backstop sweep of overdue holds, for expiry jobs lost with a process (default 30 s). */
    sweepSeconds: number;
    /** Order creation per buyer: token bucket of `rateBurst` tokens refilled at `ratePerSecond`. */
    rateBurst: number;
    ratePerSecond: number;
  };
  payments: {
    /** Payment provider; `simulated` is built in (its checkout page pays through the signed webhook). */
    provider: 'simulated';
    /** HMAC-SHA256 secret of webhook signatures. Unset outside production: generated into `dataDir`. */
    webhookSecret?: string;
    /** Webhooks whose signed timestamp is older than this are refused (default 300 s). */
    webhookToleranceSeconds: number;
  };
  shutdownTimeoutMs: number;
  media: {
    numWorkers: number;
    listenIp: string;
    announcedIp?: string;
    rtcMinPort: number;
    rtcMaxPort: number;
    workerLogLevel: 'debug' | 'warn' | 'error' | 'none';
    /** Run the SFU in this process (false in `npm run start:worker`). */
    enabled: boolean;
    /** Seconds without ICE consent before a WHIP/WHEP peer counts as gone. */
    iceConsentTimeout: number;
    /** Seconds a peer may take to connect after its answer. */
    connectTimeout: number;
    /** Window (ms) over which viewers' keyframe requests are merged into one. */
    keyFrameRequestDelay: number;
    /** After a media worker crash, seconds a stream stays live for its publisher to reconnect. */
    reconnectGraceSeconds: number;
  };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const r = new EnvReader(env);
  const nodeEnv = r.oneOf('NODE_ENV', ['development', 'production', 'test'] as const, 'development');
  const port = r.int('PORT', 3000, 1, 65535);
  const host = r.string('HOST', '0.0.0.0');
  const publicUrl = (r.url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(
    /\/+$/,
    '',
  );
  const cors = r.string('CORS_ORIGINS', '*');
  const redisUrl = r.url('REDIS_URL', ['redis:', 'rediss:']);
  const jwtSecret = r.optionalString('JWT_SECRET');
  if (jwtSecret !== undefined) {
    r.check(jwtSecret.length >= 32, 'JWT_SECRET must be at least 32 characters');
  }
  r.check(
    nodeEnv !== 'production' || jwtSecret !== undefined,
    'JWT_SECRET is required when NODE_ENV=production',
  );
  const webhookSecret = r.optionalString('PAYMENT_WEBHOOK_SECRET');
  if (webhookSecret !== undefined) {
    r.check(webhookSecret.length >= 32, 'PAYMENT_WEBHOOK_SECRET must be at least 32 characters');
  }
  r.check(
    nodeEnv !== 'production' || webhookSecret !== undefined,
    'PAYMENT_WEBHOOK_SECRET is required when NODE_ENV=production',
  );
  const rtcMinPort = r.int('MEDIASOUP_RTC_MIN_PORT', 40000, 1024, 65535);
  const rtcMaxPort = r.int('MEDIASOUP_RTC_MAX_PORT', 40999, 1024, 65535);
  r.check(rtcMinPort <= rtcMaxPort, 'MEDIASOUP_RTC_MIN_PORT must not exceed MEDIASOUP_RTC_MAX_PORT');

  const config: AppConfig = {
    env: nodeEnv,
    http: {
      host,
      port,
      publicUrl,
      bodyLimitBytes: r.int('BODY_LIMIT_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024),
      corsOrigins: cors === '*' ? '*' : cors.split(',').map((s) => s.trim()),
    },
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS, nodeEnv === 'test' ? 'silent' : 'info'),
    dataDir: path.resolve(r.string('DATA_DIR', './data')),
    database: {
      url: r.url('DATABASE_URL', ['postgres:', 'postgresql:']),
      embeddedPort: r.int('EMBEDDED_PG_PORT', 54329, 1024, 65535),
      poolSize: r.int('DATABASE_POOL_SIZE', 20, 1, 500),
    },
    redisUrl,
    redisPrefix: r.string('REDIS_PREFIX', 'livecart'),
    auth: {
      jwtSecret,
      tokenTtlSeconds: r.int('JWT_TTL_SECONDS', 7 * 24 * 3600, 60, 365 * 24 * 3600),
      scryptCost: r.int('SCRYPT_COST', 1 << 15, 1 << 10, 1 << 20),
    },
    runWorkersInProcess: r.bool('RUN_WORKERS_IN_PROCESS', redisUrl === undefined),
    shutdownTimeoutMs: r.int('SHUTDOWN_TIMEOUT_MS', 10000, 0, 120000),
    orders: {
      holdSeconds: r.int('ORDER_HOLD_SECONDS', 600, 1, 7 * 24 * 3600),
      sweepSeconds: r.int('ORDER_SWEEP_SECONDS', 30, 1, 3600),
      rateBurst: r.int('ORDER_RATE_BURST', 10, 1, 100000),
      ratePerSecond: r.int('ORDER_RATE_PER_SECOND', 2, 1, 100000),
    },
    payments: {
      provider: r.oneOf('PAYMENT_PROVIDER', ['simulated'] as const, 'simulated'),
      webhookSecret,
      webhookToleranceSeconds: r.int('PAYMENT_WEBHOOK_TOLERANCE_SECONDS', 300, 10, 86400),
    },
    media: {
      numWorkers: r.int('MEDIASOUP_NUM_WORKERS', os.availableParallelism(), 1, 64),
      listenIp: r.ip('MEDIASOUP_LISTEN_IP', '127.0.0.1'),
      announcedIp: r.optionalString('MEDIASOUP_ANNOUNCED_IP'),
      rtcMinPort,
      rtcMaxPort,
      workerLogLevel: r.oneOf('MEDIASOUP_LOG_LEVEL', ['debug', 'warn', 'error', 'none'] as const, 'warn'),
      enabled: r.bool('MEDIA_ENABLED', true),
      iceConsentTimeout: r.int('MEDIASOUP_ICE_CONSENT_TIMEOUT', 10, 3, 60),
      connectTimeout: r.int('MEDIA_CONNECT_TIMEOUT', 15, 3, 120),
      keyFrameRequestDelay: r.int('MEDIASOUP_KEYFRAME_REQUEST_DELAY_MS', 500, 0, 5000),
      reconnectGraceSeconds: r.int('STREAM_RECONNECT_GRACE_SECONDS', 15, 0, 600),
    },
  };
  if (config.auth.scryptCost & (config.auth.scryptCost - 1)) {
    r.problems.push(`SCRYPT_COST must be a power of two (got ${config.auth.scryptCost})`);
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
