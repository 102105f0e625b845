import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseTrustedProxies } from '../common/http/trusted-proxies';
import { ConfigError, EnvReader } from './env';
import { LOG_LEVELS, OPTIONS as O, X264_PRESETS, type StringOption } from './options';

export { LOG_LEVELS } from './options';

/**
 * The whole typed configuration, read and validated once at boot by
 * loadConfig. Each field names the variable it comes from; what it does and
 * its default are declared once, in options.ts (and generated from there
 * into `.env.example` and docs/configuration.md).
 */
export interface AppConfig {
  /** NODE_ENV */
  env: 'development' | 'production' | 'test';
  http: {
    /** HOST */
    host: string;
    /** PORT */
    port: number;
    /** PUBLIC_URL, without a trailing slash. */
    publicUrl: string;
    /** BODY_LIMIT_BYTES */
    bodyLimitBytes: number;
    /** TRUSTED_PROXIES, validated (common/http/trusted-proxies.ts reads it). */
    trustedProxies: string;
    /** CORS_ORIGINS */
    corsOrigins: string[] | '*';
    /** EMBED_ALLOWED_ORIGINS: the origins (scheme://host[:port]) that may embed the player. */
    embedOrigins: string[] | '*';
  };
  /** LOG_LEVEL */
  logLevel: (typeof LOG_LEVELS)[number];
  /** DATA_DIR, absolute. */
  dataDir: string;
  database: {
    /** DATABASE_URL; unset: an embedded PostgreSQL is started with its data under `dataDir/pg`. */
    url?: string;
    /** EMBEDDED_PG_PORT */
    embeddedPort: number;
    /** DATABASE_POOL_SIZE */
    poolSize: number;
  };
  /** REDIS_URL; unset: in-process queue, pub/sub and live state (one node). */
  redisUrl?: string;
  /** REDIS_PREFIX */
  redisPrefix: string;
  auth: {
    /** JWT_SECRET; unset outside production: generated once and kept in `dataDir/jwt-secret`. */
    jwtSecret?: string;
    /** JWT_TTL_SECONDS: access tokens. */
    tokenTtlSeconds: number;
    /** REFRESH_TOKEN_TTL_SECONDS */
    refreshTtlSeconds: number;
    /** SCRYPT_COST */
    scryptCost: number;
    /** LOGIN_MAX_FAILURES */
    loginMaxFailures: number;
    /** LOGIN_LOCK_SECONDS */
    loginLockSeconds: number;
    /** LOGIN_ADDRESS_BURST */
    loginAddressBurst: number;
    /** LOGIN_ADDRESS_PER_MINUTE */
    loginAddressPerMinute: number;
    /** REGISTER_ADDRESS_BURST */
    registerAddressBurst: number;
    /** REGISTER_ADDRESS_PER_HOUR */
    registerAddressPerHour: number;
  };
  /** RUN_WORKERS_IN_PROCESS */
  runWorkersInProcess: boolean;
  orders: {
    /** ORDER_HOLD_SECONDS */
    holdSeconds: number;
    /** ORDER_SWEEP_SECONDS */
    sweepSeconds: number;
    /** ORDER_RATE_BURST: order creation per buyer is a token bucket of `rateBurst` tokens refilled at `ratePerSecond`. */
    rateBurst: number;
    /** ORDER_RATE_PER_SECOND */
    ratePerSecond: number;
    /** ORDER_OPTIMISTIC_ATTEMPTS */
    optimisticAttempts: number;
  };
  payments: {
    /** PAYMENT_PROVIDER */
    provider: 'simulated';
    /** PAYMENT_WEBHOOK_SECRET; unset outside production: generated into `dataDir`. */
    webhookSecret?: string;
    /** PAYMENT_WEBHOOK_TOLERANCE_SECONDS */
    webhookToleranceSeconds: number;
  };
  /** SHUTDOWN_TIMEOUT_MS */
  shutdownTimeoutMs: number;
  /** METRICS_TOKEN; unset: /metrics answers direct local requests only. */
  metricsToken?: string;
  media: {
    /** MEDIASOUP_NUM_WORKERS */
    numWorkers: number;
    /** MEDIASOUP_LISTEN_IP */
    listenIp: string;
    /** MEDIASOUP_ANNOUNCED_IP */
    announcedIp?: string;
    /** MEDIASOUP_RTC_PORT (0: any free port per worker) */
    rtcPort: number;
    /** MEDIASOUP_LOG_LEVEL */
    workerLogLevel: 'debug' | 'warn' | 'error' | 'none';
    /** MEDIA_ENABLED */
    enabled: boolean;
    /** MEDIASOUP_ICE_CONSENT_TIMEOUT (seconds) */
    iceConsentTimeout: number;
    /** MEDIA_CONNECT_TIMEOUT (seconds) */
    connectTimeout: number;
    /** MEDIA_MAX_CONNECTING_PER_STREAM (0 = no limit) */
    maxConnectingPerStream: number;
    /** MEDIA_MAX_CONNECTING_PER_ADDRESS (0 = no limit) */
    maxConnectingPerAddress: number;
    /** MEDIASOUP_KEYFRAME_REQUEST_DELAY_MS */
    keyFrameRequestDelay: number;
    /** STREAM_RECONNECT_GRACE_SECONDS */
    reconnectGraceSeconds: number;
  };
  catalog: {
    /** PRODUCT_IMAGE_MAX_BYTES */
    imageMaxBytes: number;
    /** DATA_DIR/images, absolute: uploaded product pictures. */
    imagesDir: string;
  };
  ingest: IngestConfig;
  hls: HlsConfig;
  live: LiveConfig;
  reports: ReportsConfig;
  webhooks: WebhooksConfig;
}

/** RTMP and SRT ingest (see media/ingest and src/ingest). */
export interface IngestConfig {
  /** INGEST_ENABLED: the deployment takes RTMP/SRT (stream responses carry the URLs). */
  offered: boolean;
  /** INGEST_ENABLED and MEDIA_ENABLED: this process runs the listeners. */
  enabled: boolean;
  /** INGEST_PUBLIC_HOST */
  publicHost: string;
  rtmp: {
    /** RTMP_ENABLED */
    enabled: boolean;
    /** RTMP_LISTEN_IP */
    listenIp: string;
    /** RTMP_PORT */
    port: number;
  };
  /** RTMPS_PORT, RTMPS_CERT_FILE, RTMPS_KEY_FILE; absent: RTMPS off. */
  rtmps?: { port: number; certFile: string; keyFile: string };
  srt: {
    /** SRT_ENABLED */
    enabled: boolean;
    /** SRT_LISTEN_IP */
    listenIp: string;
    /** SRT_PORT */
    port: number;
    /** SRT_LATENCY_MS */
    latencyMs: number;
    /** SRT_PASSPHRASE */
    passphrase?: string;
    /** SRT_HELPER_PATH, absolute. */
    helperPath: string;
  };
  /** INGEST_MAX_SESSIONS */
  maxSessions: number;
  /** INGEST_RECONNECT_GRACE_SECONDS */
  reconnectGraceSeconds: number;
  /** INGEST_BFRAMES */
  bframes: 'reencode' | 'refuse';
  /** INGEST_REENCODE_PRESET */
  reencodePreset: (typeof X264_PRESETS)[number];
  /** INGEST_HANDSHAKE_TIMEOUT_SECONDS */
  handshakeTimeoutSeconds: number;
}

/** The folder of package.json above this file (src/config in a checkout, dist/src/config in a build). */
function projectRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/** LL-HLS transcoding (see media/hls and src/hls). */
export interface HlsConfig {
  /** HLS_ENABLED */
  enabled: boolean;
  /** HLS_DIR, absolute. */
  dir: string;
  /** HLS_WORK_DIR, absolute. */
  workDir: string;
  /** HLS_LADDER, parsed; `videoBitrate` in bit/s. */
  ladder: { name: string; shortSide: number; videoBitrate: number }[];
  /** HLS_PART_MS */
  partMs: number;
  /** HLS_PARTS_PER_SEGMENT */
  partsPerSegment: number;
  /** HLS_KEYFRAME_PARTS (divides partsPerSegment) */
  keyframeParts: number;
  /** HLS_FPS */
  fps: number;
  /** HLS_COPY_H264 */
  copyH264: boolean;
  /** HLS_X264_PRESET */
  x264Preset: (typeof X264_PRESETS)[number];
  /** HLS_POSTER_SECONDS */
  posterSeconds: number;
  /** HLS_REPLAY_RETENTION_DAYS */
  retentionDays: number;
  /** HLS_MAX_BLOCKING_PER_CLIENT (0 = no limit) */
  maxBlockingPerClient: number;
  /** HLS_WORKER_CONCURRENCY: the `hls` queue's concurrency in each process that runs processors. */
  concurrency: number;
  /** HLS_RTP_HOST */
  rtpHost: string;
  /** HLS_RTP_MIN_PORT */
  rtpMinPort: number;
  /** HLS_RTP_MAX_PORT */
  rtpMaxPort: number;
}

/** Live room and chat tuning (src/live, src/chat). */
export interface LiveConfig {
  /** CHAT_RATE_PER_SECOND */
  chatRatePerSecond: number;
  /** CHAT_RATE_BURST */
  chatBurst: number;
  /** LIVE_PRESENCE_PERIOD_MS */
  presencePeriodMs: number;
  /** LIVE_VIEWERS_INTERVAL_MS */
  viewersIntervalMs: number;
  /** LIVE_REACTION_WINDOW_MS */
  reactionWindowMs: number;
  /** LIVE_REACTIONS_PER_SECOND */
  reactionsPerSecond: number;
  /** LIVE_STATS_FLUSH_MS */
  statsFlushMs: number;
  /** LIVE_CHAT_BATCH_MS */
  chatBatchMs: number;
  /** LIVE_CHAT_BATCH_MIN_VIEWERS */
  chatBatchMinViewers: number;
  /** LIVE_FANOUT_CHUNK */
  fanoutChunk: number;
  /** LIVE_DIRECT_WRITE */
  directWrite: boolean;
  /** LIVE_MAX_CONNECTIONS_PER_IP (0 = no limit) */
  maxConnectionsPerIp: number;
  /** LIVE_MAX_ANONYMOUS_VIEWERS_PER_IP (0 = no limit) */
  maxAnonymousViewersPerIp: number;
}

/** Reports: the background fold of the order journal (src/reports). */
export interface ReportsConfig {
  /** REPORTS_FOLD_MS */
  foldMs: number;
  /** REPORTS_FOLD_BATCH */
  foldBatch: number;
  /** REPORTS_FOLD_MAX_PERCENT */
  foldMaxPercent: number;
}

/** Merchant webhook delivery (src/webhooks). */
export interface WebhooksConfig {
  /** WEBHOOK_ALLOW_PRIVATE */
  allowPrivate: boolean;
  /** WEBHOOK_MAX_ATTEMPTS */
  maxAttempts: number;
  /** WEBHOOK_BACKOFF_MS */
  backoffMs: number;
  /** WEBHOOK_TIMEOUT_MS */
  timeoutMs: number;
  /** WEBHOOK_MAX_PER_MERCHANT */
  maxPerMerchant: number;
}

function parseLadder(raw: string, problems: string[]): HlsConfig['ladder'] {
  const rungs = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^([A-Za-z0-9_-]+):(\d{2,4}):(\d{2,6})$/.exec(s);
      if (!m) {
        problems.push(`HLS_LADDER entry ${JSON.stringify(s)} must be name:lines:kbps (e.g. 720p:720:2800)`);
        return undefined;
      }
      return { name: m[1], shortSide: Number(m[2]), videoBitrate: Number(m[3]) * 1000 };
    });
  const ok = rungs.filter((r): r is NonNullable<typeof r> => r !== undefined);
  if (rungs.length === 0) problems.push('HLS_LADDER needs at least one rung');
  if (new Set(ok.map((r) => r.name)).size !== ok.length)
    problems.push('HLS_LADDER rung names must be unique');
  return ok;
}

/**
 * Reads and validates every option once; throws one ConfigError that lists
 * every bad variable. The only reader of the environment for options.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const r = new EnvReader(env);
  const nodeEnv = r.oneOf(O.NODE_ENV);
  const port = r.int(O.PORT);
  const publicUrl = (r.url(O.PUBLIC_URL) ?? `http://localhost:${port}`).replace(/\/+$/, '');
  const cors = r.string(O.CORS_ORIGINS);
  const embed = r.string(O.EMBED_ALLOWED_ORIGINS);
  const embedOrigins =
    embed === '*'
      ? '*'
      : embed
          .split(',')
          .map((o) => o.trim())
          .filter(Boolean);
  if (embedOrigins !== '*')
    for (const o of embedOrigins) {
      let origin = '';
      try {
        origin = new URL(o).origin;
      } catch {
        origin = '';
      }
      r.check(
        origin === o && /^https?:/.test(o),
        `EMBED_ALLOWED_ORIGINS must list origins such as https://shop.example.com (no path or trailing slash), or be *; got "${o}"`,
      );
    }
  const redisUrl = r.url(O.REDIS_URL);
  const dataDir = r.string(O.DATA_DIR);
  /** A secret: 32 characters or more when set, and required in production. */
  const secret = (option: StringOption): string | undefined => {
    const value = r.string(option);
    if (value !== undefined) {
      r.check(value.length >= 32, `${option.name} must be at least 32 characters`);
    }
    r.check(
      nodeEnv !== 'production' || value !== undefined,
      `${option.name} is required when NODE_ENV=production`,
    );
    return value;
  };
  const jwtSecret = secret(O.JWT_SECRET);
  const webhookSecret = secret(O.PAYMENT_WEBHOOK_SECRET);
  const metricsToken = r.string(O.METRICS_TOKEN);
  if (metricsToken !== undefined)
    r.check(metricsToken.length >= 16, 'METRICS_TOKEN must be at least 16 characters');
  const trustedProxies = r.string(O.TRUSTED_PROXIES);
  r.problems.push(...parseTrustedProxies(trustedProxies).problems);
  const numWorkers = r.int(O.MEDIASOUP_NUM_WORKERS, os.availableParallelism());
  const rtcPort = r.int(O.MEDIASOUP_RTC_PORT);
  r.check(
    rtcPort === 0 || (rtcPort >= 1024 && rtcPort + numWorkers - 1 <= 65535),
    `MEDIASOUP_RTC_PORT must be 0 or a port from 1024 such that MEDIASOUP_RTC_PORT + ${numWorkers - 1} (one per worker) is at most 65535 (got ${rtcPort})`,
  );
  const mediaEnabled = r.bool(O.MEDIA_ENABLED);
  const ingestOffered = r.bool(O.INGEST_ENABLED, nodeEnv !== 'test');
  const rtmpsPort = r.int(O.RTMPS_PORT);
  const certFile = r.string(O.RTMPS_CERT_FILE);
  const keyFile = r.string(O.RTMPS_KEY_FILE);
  r.check(
    (certFile === undefined) === (keyFile === undefined),
    'RTMPS_CERT_FILE and RTMPS_KEY_FILE go together: set both for RTMPS, or neither',
  );
  const srtPassphrase = r.string(O.SRT_PASSPHRASE);
  if (srtPassphrase !== undefined) {
    r.check(
      srtPassphrase.length >= 10 && srtPassphrase.length <= 79,
      'SRT_PASSPHRASE must be 10 to 79 characters (SRT encryption)',
    );
  }

  const config: AppConfig = {
    env: nodeEnv,
    http: {
      host: r.string(O.HOST),
      port,
      publicUrl,
      bodyLimitBytes: r.int(O.BODY_LIMIT_BYTES),
      trustedProxies,
      corsOrigins: cors === '*' ? '*' : cors.split(',').map((s) => s.trim()),
      embedOrigins,
    },
    logLevel: r.oneOf(O.LOG_LEVEL, nodeEnv === 'test' ? 'silent' : O.LOG_LEVEL.default),
    dataDir: path.resolve(dataDir),
    database: {
      url: r.url(O.DATABASE_URL),
      embeddedPort: r.int(O.EMBEDDED_PG_PORT),
      poolSize: r.int(O.DATABASE_POOL_SIZE),
    },
    redisUrl,
    redisPrefix: r.string(O.REDIS_PREFIX),
    auth: {
      jwtSecret,
      tokenTtlSeconds: r.int(O.JWT_TTL_SECONDS),
      refreshTtlSeconds: r.int(O.REFRESH_TOKEN_TTL_SECONDS),
      scryptCost: r.int(O.SCRYPT_COST),
      loginMaxFailures: r.int(O.LOGIN_MAX_FAILURES),
      loginLockSeconds: r.int(O.LOGIN_LOCK_SECONDS),
      loginAddressBurst: r.int(O.LOGIN_ADDRESS_BURST),
      loginAddressPerMinute: r.int(O.LOGIN_ADDRESS_PER_MINUTE),
      registerAddressBurst: r.int(O.REGISTER_ADDRESS_BURST),
      registerAddressPerHour: r.int(O.REGISTER_ADDRESS_PER_HOUR),
    },
    runWorkersInProcess: r.bool(O.RUN_WORKERS_IN_PROCESS, redisUrl === undefined),
    shutdownTimeoutMs: r.int(O.SHUTDOWN_TIMEOUT_MS),
    metricsToken,
    orders: {
      holdSeconds: r.int(O.ORDER_HOLD_SECONDS),
      sweepSeconds: r.int(O.ORDER_SWEEP_SECONDS),
      rateBurst: r.int(O.ORDER_RATE_BURST),
      ratePerSecond: r.int(O.ORDER_RATE_PER_SECOND),
      optimisticAttempts: r.int(O.ORDER_OPTIMISTIC_ATTEMPTS),
    },
    payments: {
      provider: r.oneOf(O.PAYMENT_PROVIDER),
      webhookSecret,
      webhookToleranceSeconds: r.int(O.PAYMENT_WEBHOOK_TOLERANCE_SECONDS),
    },
    media: {
      numWorkers,
      listenIp: r.ip(O.MEDIASOUP_LISTEN_IP),
      announcedIp: r.string(O.MEDIASOUP_ANNOUNCED_IP),
      rtcPort,
      workerLogLevel: r.oneOf(O.MEDIASOUP_LOG_LEVEL),
      enabled: mediaEnabled,
      iceConsentTimeout: r.int(O.MEDIASOUP_ICE_CONSENT_TIMEOUT),
      connectTimeout: r.int(O.MEDIA_CONNECT_TIMEOUT),
      maxConnectingPerStream: r.int(O.MEDIA_MAX_CONNECTING_PER_STREAM),
      maxConnectingPerAddress: r.int(O.MEDIA_MAX_CONNECTING_PER_ADDRESS),
      keyFrameRequestDelay: r.int(O.MEDIASOUP_KEYFRAME_REQUEST_DELAY_MS),
      reconnectGraceSeconds: r.int(O.STREAM_RECONNECT_GRACE_SECONDS),
    },
    catalog: {
      imageMaxBytes: r.int(O.PRODUCT_IMAGE_MAX_BYTES),
      imagesDir: path.resolve(dataDir, 'images'),
    },
    ingest: {
      offered: ingestOffered,
      enabled: mediaEnabled && ingestOffered,
      publicHost: r.string(O.INGEST_PUBLIC_HOST, new URL(publicUrl).hostname),
      rtmp: {
        enabled: r.bool(O.RTMP_ENABLED),
        listenIp: r.ip(O.RTMP_LISTEN_IP),
        port: r.int(O.RTMP_PORT),
      },
      rtmps:
        certFile !== undefined && keyFile !== undefined
          ? { port: rtmpsPort, certFile: path.resolve(certFile), keyFile: path.resolve(keyFile) }
          : undefined,
      srt: {
        enabled: r.bool(O.SRT_ENABLED),
        listenIp: r.ip(O.SRT_LISTEN_IP),
        port: r.int(O.SRT_PORT),
        latencyMs: r.int(O.SRT_LATENCY_MS),
        passphrase: srtPassphrase,
        helperPath: path.resolve(
          projectRoot(),
          r.string(O.SRT_HELPER_PATH, path.join('build', 'srt', 'livecart-srt')),
        ),
      },
      maxSessions: r.int(O.INGEST_MAX_SESSIONS),
      reconnectGraceSeconds: r.int(O.INGEST_RECONNECT_GRACE_SECONDS),
      bframes: r.oneOf(O.INGEST_BFRAMES),
      reencodePreset: r.oneOf(O.INGEST_REENCODE_PRESET),
      handshakeTimeoutSeconds: r.int(O.INGEST_HANDSHAKE_TIMEOUT_SECONDS),
    },
    hls: {
      enabled: r.bool(O.HLS_ENABLED),
      dir: path.resolve(r.string(O.HLS_DIR, path.join(dataDir, 'media'))),
      workDir: path.resolve(r.string(O.HLS_WORK_DIR, path.join(dataDir, 'hls-work'))),
      ladder: parseLadder(r.string(O.HLS_LADDER), r.problems),
      partMs: r.int(O.HLS_PART_MS),
      partsPerSegment: r.int(O.HLS_PARTS_PER_SEGMENT),
      keyframeParts: r.int(O.HLS_KEYFRAME_PARTS),
      fps: r.int(O.HLS_FPS),
      copyH264: r.bool(O.HLS_COPY_H264),
      x264Preset: r.oneOf(O.HLS_X264_PRESET),
      posterSeconds: r.int(O.HLS_POSTER_SECONDS),
      retentionDays: r.int(O.HLS_REPLAY_RETENTION_DAYS),
      maxBlockingPerClient: r.int(O.HLS_MAX_BLOCKING_PER_CLIENT),
      concurrency: r.int(O.HLS_WORKER_CONCURRENCY),
      rtpHost: r.ip(O.HLS_RTP_HOST),
      rtpMinPort: r.int(O.HLS_RTP_MIN_PORT),
      rtpMaxPort: r.int(O.HLS_RTP_MAX_PORT),
    },
    live: {
      chatRatePerSecond: r.int(O.CHAT_RATE_PER_SECOND),
      chatBurst: r.int(O.CHAT_RATE_BURST),
      presencePeriodMs: r.int(O.LIVE_PRESENCE_PERIOD_MS),
      viewersIntervalMs: r.int(O.LIVE_VIEWERS_INTERVAL_MS),
      reactionWindowMs: r.int(O.LIVE_REACTION_WINDOW_MS),
      reactionsPerSecond: r.int(O.LIVE_REACTIONS_PER_SECOND),
      statsFlushMs: r.int(O.LIVE_STATS_FLUSH_MS),
      chatBatchMs: r.int(O.LIVE_CHAT_BATCH_MS),
      chatBatchMinViewers: r.int(O.LIVE_CHAT_BATCH_MIN_VIEWERS),
      fanoutChunk: r.int(O.LIVE_FANOUT_CHUNK),
      directWrite: r.bool(O.LIVE_DIRECT_WRITE),
      maxConnectionsPerIp: r.int(O.LIVE_MAX_CONNECTIONS_PER_IP),
      maxAnonymousViewersPerIp: r.int(O.LIVE_MAX_ANONYMOUS_VIEWERS_PER_IP),
    },
    reports: {
      foldMs: r.int(O.REPORTS_FOLD_MS),
      foldBatch: r.int(O.REPORTS_FOLD_BATCH),
      foldMaxPercent: r.int(O.REPORTS_FOLD_MAX_PERCENT),
    },
    webhooks: {
      allowPrivate: r.bool(O.WEBHOOK_ALLOW_PRIVATE),
      maxAttempts: r.int(O.WEBHOOK_MAX_ATTEMPTS),
      backoffMs: r.int(O.WEBHOOK_BACKOFF_MS),
      timeoutMs: r.int(O.WEBHOOK_TIMEOUT_MS),
      maxPerMerchant: r.int(O.WEBHOOK_MAX_PER_MERCHANT),
    },
  };
  r.check(
    config.hls.partsPerSegment % config.hls.keyframeParts === 0,
    'HLS_KEYFRAME_PARTS must divide HLS_PARTS_PER_SEGMENT (every segment starts with a keyframe)',
  );
  r.check(config.hls.rtpMinPort < config.hls.rtpMaxPort, 'HLS_RTP_MIN_PORT must be below HLS_RTP_MAX_PORT');
  if (config.auth.scryptCost & (config.auth.scryptCost - 1)) {
    r.problems.push(`SCRYPT_COST must be a power of two (got ${config.auth.scryptCost})`);
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
