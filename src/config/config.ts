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
    /**
     * Read-decide-write rounds a reservation batch gets before it is reserved
     * under row locks (default 3; 0: always under locks).
     */
    optimisticAttempts: number;
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
  hls: HlsConfig;
}

/** LL-HLS transcoding (see media/hls and src/hls). */
export interface HlsConfig {
  /** Transcode live streams to HLS at all (default true). */
  enabled: boolean;
  /** Where playlists, parts, segments and posters are stored (default `<DATA_DIR>/media`). */
  dir: string;
  /** ffmpeg's scratch folder, local to each worker (default `<DATA_DIR>/hls-work`). */
  workDir: string;
  /** Ladder rungs as `name:height:kbps`, default 720p:720:2800,480p:480:1400,360p:360:800. */
  ladder: { name: string; height: number; videoBitrate: number }[];
  /** LL-HLS part duration in ms, rounded to whole frames (default 333: 10 frames at 30 fps; ≤ 500 for LL-HLS). */
  partMs: number;
  /** Parts per segment (default 6: 2 s segments, each starting on a keyframe). */
  partsPerSegment: number;
  /** Output frame rate of re-encoded renditions (default 30). */
  fps: number;
  /** Copy the top rendition when the publisher sends H.264 (default false: its parts follow the publisher's GOP). */
  copyH264: boolean;
  /** x264 preset of the encoded renditions (default veryfast; ultrafast halves the CPU at a lower quality per bit). */
  x264Preset: (typeof X264_PRESETS)[number];
  /** Seconds between poster refreshes while live (default 3). */
  posterSeconds: number;
  /** Replays older than this many days are deleted by the cleanup job (default 7; 0 keeps them). */
  retentionDays: number;
  /** Transcodes one worker process runs at once (default 2). */
  concurrency: number;
  /** Address the SFU sends plain RTP to (this worker's, reachable from the SFU) and its UDP port range. */
  rtpHost: string;
  rtpMinPort: number;
  rtpMaxPort: number;
}

function parseLadder(raw: string, problems: string[]): HlsConfig['ladder'] {
  const rungs = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^([A-Za-z0-9_-]+):(\d{2,4}):(\d{2,6})$/.exec(s);
      if (!m) {
        problems.push(`HLS_LADDER entry ${JSON.stringify(s)} must be name:height:kbps (e.g. 720p:720:2800)`);
        return undefined;
      }
      return { name: m[1], height: Number(m[2]), videoBitrate: Number(m[3]) * 1000 };
    });
  const ok = rungs.filter((r): r is NonNullable<typeof r> => r !== undefined);
  if (rungs.length === 0) problems.push('HLS_LADDER needs at least one rung');
  if (new Set(ok.map((r) => r.name)).size !== ok.length)
    problems.push('HLS_LADDER rung names must be unique');
  return ok;
}

const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;

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
      optimisticAttempts: r.int('ORDER_OPTIMISTIC_ATTEMPTS', 3, 0, 10),
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
    hls: {
      enabled: r.bool('HLS_ENABLED', true),
      dir: path.resolve(r.string('HLS_DIR', path.join(r.string('DATA_DIR', './data'), 'media'))),
      workDir: path.resolve(r.string('HLS_WORK_DIR', path.join(r.string('DATA_DIR', './data'), 'hls-work'))),
      ladder: parseLadder(r.string('HLS_LADDER', '720p:720:2800,480p:480:1400,360p:360:800'), r.problems),
      partMs: r.int('HLS_PART_MS', 333, 200, 2000),
      partsPerSegment: r.int('HLS_PARTS_PER_SEGMENT', 6, 1, 20),
      fps: r.int('HLS_FPS', 30, 10, 60),
      copyH264: r.bool('HLS_COPY_H264', false),
      x264Preset: r.oneOf('HLS_X264_PRESET', X264_PRESETS, 'veryfast'),
      posterSeconds: r.int('HLS_POSTER_SECONDS', 3, 1, 60),
      retentionDays: r.int('HLS_REPLAY_RETENTION_DAYS', 7, 0, 3650),
      concurrency: r.int('HLS_WORKER_CONCURRENCY', 2, 1, 64),
      rtpHost: r.ip('HLS_RTP_HOST', '127.0.0.1'),
      rtpMinPort: r.int('HLS_RTP_MIN_PORT', 50000, 1024, 65534),
      rtpMaxPort: r.int('HLS_RTP_MAX_PORT', 50999, 1025, 65535),
    },
  };
  r.check(config.hls.rtpMinPort < config.hls.rtpMaxPort, 'HLS_RTP_MIN_PORT must be below HLS_RTP_MAX_PORT');
  if (config.auth.scryptCost & (config.auth.scryptCost - 1)) {
    r.problems.push(`SCRYPT_COST must be a power of two (got ${config.auth.scryptCost})`);
  }
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}
