/**
 * Every environment variable livecart reads, declared once: its kind, its
 * default, what values it accepts and a one-line description. `loadConfig`
 * (config.ts) reads variables only through these declarations, and
 * `.env.example` and the options table of docs/configuration.md are
 * generated from them (`npm run config:docs`; a unit test fails when they
 * are out of date).
 */

interface OptionBase {
  /** The environment variable (filled in from the key). */
  name: string;
  /** Heading it is listed under (filled in from its section). */
  section: string;
  /** One line: what it does, and why one would change it. */
  doc: string;
  /** Where the default is computed at boot: says what it is, for the docs. */
  defaultText?: string;
  /** Shown commented out in `.env.example` when there is no fixed default. */
  example?: string;
}

export interface IntOption extends OptionBase {
  kind: 'int';
  default?: number;
  min: number;
  max: number;
}
export interface BoolOption extends OptionBase {
  kind: 'bool';
  default?: boolean;
}
export interface StringOption extends OptionBase {
  kind: 'string';
  default?: string;
}
export interface EnumOption<T extends string = string> extends OptionBase {
  kind: 'enum';
  values: readonly T[];
  default: T;
}
export interface UrlOption extends OptionBase {
  kind: 'url';
  protocols: readonly string[];
  /** A URL option is unset unless given. */
  default?: undefined;
}
export interface IpOption extends OptionBase {
  kind: 'ip';
  default: string;
  /** Also accepts `auto`: this machine's first non-loopback IPv4 address (a container's own). */
  auto?: boolean;
}
export type Option = IntOption | BoolOption | StringOption | EnumOption | UrlOption | IpOption;

type Declared<T> = T extends Option ? Omit<T, 'name' | 'section'> : never;

/** Stamps each declaration with its variable name and section. */
function section<const T extends Record<string, Declared<Option>>>(
  title: string,
  options: T,
): { [K in keyof T]: T[K] & { name: K & string; section: string } } {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, { ...o, name, section: title }]),
  ) as unknown as { [K in keyof T]: T[K] & { name: K & string; section: string } };
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const X264_PRESETS = ['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium'] as const;

export const OPTIONS = {
  ...section('HTTP server', {
    NODE_ENV: {
      kind: 'enum',
      values: ['development', 'production', 'test'],
      default: 'development',
      doc: 'Production requires JWT_SECRET and PAYMENT_WEBHOOK_SECRET.',
    },
    HOST: { kind: 'string', default: '0.0.0.0', doc: 'HTTP listen address.' },
    PORT: { kind: 'int', default: 3000, min: 1, max: 65535, doc: 'HTTP listen port.' },
    PUBLIC_URL: {
      kind: 'url',
      protocols: ['http:', 'https:'],
      defaultText: 'http://localhost:$PORT',
      example: 'https://live.example.com',
      doc: 'Base URL clients use to reach this server; WHIP, WHEP and HLS URLs are built from it.',
    },
    CORS_ORIGINS: { kind: 'string', default: '*', doc: 'Comma-separated CORS origins, or * for any.' },
    EMBED_ALLOWED_ORIGINS: {
      kind: 'string',
      default: '*',
      doc:
        'Sites that may embed the player: comma-separated origins, or * for any. Only they may load ' +
        '/embed.js (a module script needs CORS) and frame the watch page (CSP frame-ancestors); the ' +
        'checkout popup reports a purchase only to them.',
    },
    BODY_LIMIT_BYTES: {
      kind: 'int',
      default: 64 * 1024,
      min: 1024,
      max: 64 * 1024 * 1024,
      doc:
        'Largest request body of any route in bytes (413 beyond). Each route has its own, lower limit: ' +
        '16 KiB, or up to 64 KiB where bodies are bigger (products, word lists, SDP offers).',
    },
    TRUSTED_PROXIES: {
      kind: 'string',
      default: 'loopback',
      doc:
        'Peers whose X-Forwarded-For names the client (for per-address limits): addresses, CIDR ranges, ' +
        'loopback, linklocal, uniquelocal (private networks) or none, comma-separated.',
    },
    LOG_LEVEL: {
      kind: 'enum',
      values: LOG_LEVELS,
      default: 'info',
      defaultText: 'info (silent when NODE_ENV=test)',
      doc: 'Level of the JSON logs (pino).',
    },
    METRICS_TOKEN: {
      kind: 'string',
      defaultText: 'none: /metrics answers direct requests from this host only',
      example: '',
      doc:
        'Bearer token Prometheus sends to GET /metrics (16+ characters). Unset, /metrics answers only a ' +
        'loopback peer that is not a proxy relaying someone (no X-Forwarded-For).',
    },
    SHUTDOWN_TIMEOUT_MS: {
      kind: 'int',
      default: 10000,
      min: 0,
      max: 120000,
      doc: 'How long a graceful shutdown may take before the process exits anyway.',
    },
  }),

  ...section('Data and database', {
    DATA_DIR: {
      kind: 'string',
      default: './data',
      doc: 'Folder of the embedded database, generated secrets and media output.',
    },
    DATABASE_URL: {
      kind: 'url',
      protocols: ['postgres:', 'postgresql:'],
      defaultText: 'an embedded PostgreSQL with its data in DATA_DIR/pg',
      example: 'postgres://livecart:livecart@127.0.0.1:5432/livecart',
      doc: 'PostgreSQL to use.',
    },
    EMBEDDED_PG_PORT: {
      kind: 'int',
      default: 54329,
      min: 1024,
      max: 65535,
      doc: 'Port of the embedded PostgreSQL (loopback only).',
    },
    DATABASE_POOL_SIZE: {
      kind: 'int',
      default: 20,
      min: 1,
      max: 500,
      doc:
        'Connection pool size per process. From twice the order-reservation lanes up, each busy lane ' +
        'keeps one connection between its batches, which saves a hand-out per statement.',
    },
  }),

  ...section('One node or many', {
    REDIS_URL: {
      kind: 'url',
      protocols: ['redis:', 'rediss:'],
      defaultText: 'none: in-process queue, pub/sub and live state (one node)',
      example: 'redis://127.0.0.1:6379',
      doc: 'Redis, for many nodes: BullMQ queues, the socket.io Redis adapter and shared live state.',
    },
    REDIS_PREFIX: {
      kind: 'string',
      default: 'livecart',
      doc: 'Prefix of every Redis key and channel, so several deployments can share one Redis.',
    },
    RUN_WORKERS_IN_PROCESS: {
      kind: 'bool',
      defaultText: 'true without REDIS_URL, false with it',
      example: 'true',
      doc: 'Run the queue processors (HLS, order expiry, webhooks) in the app; else run `npm run start:worker`.',
    },
  }),

  ...section('Accounts', {
    JWT_SECRET: {
      kind: 'string',
      defaultText: 'generated once into DATA_DIR/jwt-secret; required in production',
      example: '',
      doc: 'HS256 secret of access tokens, 32+ characters.',
    },
    JWT_TTL_SECONDS: {
      kind: 'int',
      default: 15 * 60,
      min: 60,
      max: 24 * 3600,
      doc:
        'Access token lifetime in seconds; clients renew it with their refresh token. Revocation (roles ' +
        'changed, signed out everywhere) ends access tokens at once, whatever is left of it.',
    },
    REFRESH_TOKEN_TTL_SECONDS: {
      kind: 'int',
      default: 30 * 24 * 3600,
      min: 300,
      max: 365 * 24 * 3600,
      doc: 'A refresh token unused this long expires; each refresh rotates it and starts the period again.',
    },
    LOGIN_MAX_FAILURES: {
      kind: 'int',
      default: 10,
      min: 1,
      max: 1000,
      doc:
        'Wrong passwords for one account, from anywhere, before it refuses sign-ins from devices it has ' +
        'never signed in from (a known device with the right password still gets in).',
    },
    LOGIN_LOCK_SECONDS: {
      kind: 'int',
      default: 15 * 60,
      min: 60,
      max: 24 * 3600,
      doc: 'Window over which an account counts wrong passwords, and how long a lock lasts.',
    },
    LOGIN_ADDRESS_BURST: {
      kind: 'int',
      default: 100,
      min: 1,
      max: 100_000,
      doc: 'Sign-in attempts one client address may make at once (many people may share an address).',
    },
    LOGIN_ADDRESS_PER_MINUTE: {
      kind: 'int',
      default: 60,
      min: 1,
      max: 100_000,
      doc: 'Sign-in attempts one client address may make per minute, sustained.',
    },
    REGISTER_ADDRESS_BURST: {
      kind: 'int',
      default: 10,
      min: 1,
      max: 100_000,
      doc: 'Accounts one client address may create at once.',
    },
    REGISTER_ADDRESS_PER_HOUR: {
      kind: 'int',
      default: 30,
      min: 1,
      max: 1_000_000,
      doc: 'Accounts one client address may create per hour, sustained.',
    },
    SCRYPT_COST: {
      kind: 'int',
      default: 1 << 15,
      min: 1 << 10,
      max: 1 << 20,
      doc: 'scrypt cost N of password hashes, a power of two (memory = 1 KiB * N).',
    },
  }),

  ...section('SFU (mediasoup)', {
    MEDIASOUP_NUM_WORKERS: {
      kind: 'int',
      min: 1,
      max: 64,
      defaultText: 'one per core',
      example: '2',
      doc: 'mediasoup worker processes; streams are placed on the least loaded.',
    },
    MEDIASOUP_LISTEN_IP: { kind: 'ip', default: '127.0.0.1', doc: 'Address WebRTC transports listen on.' },
    MEDIASOUP_ANNOUNCED_IP: {
      kind: 'string',
      defaultText: 'the listen IP',
      example: '203.0.113.10',
      doc: 'Public IP announced in ICE candidates when behind NAT.',
    },
    MEDIASOUP_RTC_PORT: {
      kind: 'int',
      default: 40000,
      min: 0,
      max: 65535,
      doc:
        'WebRTC port of the first mediasoup worker, UDP and TCP; worker i uses this port + i, shared by all ' +
        'its sessions (publish MEDIASOUP_RTC_PORT..+MEDIASOUP_NUM_WORKERS-1). 0: any free port per worker.',
    },
    MEDIASOUP_LOG_LEVEL: {
      kind: 'enum',
      values: ['debug', 'warn', 'error', 'none'],
      default: 'warn',
      doc: 'Log level of the mediasoup workers.',
    },
    MEDIA_ENABLED: {
      kind: 'bool',
      default: true,
      doc: 'Run the SFU in this process (false in `npm run start:worker`).',
    },
    MEDIASOUP_ICE_CONSENT_TIMEOUT: {
      kind: 'int',
      default: 10,
      min: 3,
      max: 60,
      doc: 'Seconds without ICE consent before a WHIP/WHEP peer counts as gone (a publisher ends its stream).',
    },
    MEDIA_CONNECT_TIMEOUT: {
      kind: 'int',
      default: 10,
      min: 3,
      max: 120,
      doc: 'Seconds a peer may take to connect after its SDP answer; an unconnected session is closed then.',
    },
    MEDIA_MAX_CONNECTING_PER_STREAM: {
      kind: 'int',
      default: 500,
      min: 0,
      max: 1_000_000,
      doc:
        'WHEP sessions of one stream answered but not connected yet; more get 503 with Retry-After ' +
        '(real viewers connect within a second or two). 0 = no limit.',
    },
    MEDIA_MAX_CONNECTING_PER_ADDRESS: {
      kind: 'int',
      default: 10,
      min: 0,
      max: 1_000_000,
      doc: 'WHEP sessions one client address may have answered but not connected yet; more get 429. 0 = no limit.',
    },
    MEDIASOUP_KEYFRAME_REQUEST_DELAY_MS: {
      kind: 'int',
      default: 500,
      min: 0,
      max: 5000,
      doc: "Viewers' keyframe requests are merged over this window (ms): a join storm costs one keyframe.",
    },
    STREAM_RECONNECT_GRACE_SECONDS: {
      kind: 'int',
      default: 60,
      min: 0,
      max: 3600,
      doc:
        'Seconds a live stream waits for its publisher to come back (studio reloaded or closed, network lost, ' +
        'WHIP DELETE, media worker crash) before it ends; 0 ends it at once. Only End ends it sooner.',
    },
  }),

  ...section('RTMP and SRT ingest', {
    INGEST_ENABLED: {
      kind: 'bool',
      defaultText: 'true (false when NODE_ENV=test)',
      example: 'true',
      doc: 'Run the RTMP and SRT listeners in this process (never in one with MEDIA_ENABLED=false).',
    },
    INGEST_PUBLIC_HOST: {
      kind: 'string',
      defaultText: "PUBLIC_URL's host name",
      example: 'live.example.com',
      doc: 'Host name in the rtmpUrl and srtUrl a streamer is handed (encoders reach the listeners there).',
    },
    RTMP_ENABLED: {
      kind: 'bool',
      default: true,
      doc: 'Take RTMP publishers (OBS default service, Streamlabs, mobile and hardware encoders).',
    },
    RTMP_LISTEN_IP: { kind: 'ip', default: '0.0.0.0', doc: 'Address the RTMP and RTMPS listeners bind.' },
    RTMP_PORT: { kind: 'int', default: 1935, min: 1, max: 65535, doc: 'RTMP port (TCP).' },
    RTMPS_PORT: {
      kind: 'int',
      default: 1936,
      min: 1,
      max: 65535,
      doc: 'RTMPS (RTMP over TLS) port; RTMPS is on when RTMPS_CERT_FILE and RTMPS_KEY_FILE are set.',
    },
    RTMPS_CERT_FILE: {
      kind: 'string',
      example: '/etc/livecart/tls/fullchain.pem',
      doc: 'PEM certificate chain of the RTMPS listener.',
    },
    RTMPS_KEY_FILE: {
      kind: 'string',
      example: '/etc/livecart/tls/privkey.pem',
      doc: 'PEM private key of the RTMPS listener.',
    },
    SRT_ENABLED: {
      kind: 'bool',
      default: true,
      doc: 'Take SRT publishers (broadcast encoders, OBS, Larix).',
    },
    SRT_LISTEN_IP: { kind: 'ip', default: '0.0.0.0', doc: 'Address the SRT listener binds.' },
    SRT_PORT: {
      kind: 'int',
      default: 9000,
      min: 1,
      max: 65535,
      doc: 'SRT port (UDP), one for every stream.',
    },
    SRT_LATENCY_MS: {
      kind: 'int',
      default: 120,
      min: 20,
      max: 8000,
      doc: 'SRT latency: how long the receiver waits for lost packets to be resent (the larger of both sides applies).',
    },
    SRT_PASSPHRASE: {
      kind: 'string',
      example: '',
      doc:
        'When set (10–79 characters), SRT callers must encrypt with it (`&passphrase=` in their URL; use ' +
        'characters a URL needs no escaping for: some encoders pass %xx on undecoded).',
    },
    SRT_HELPER_PATH: {
      kind: 'string',
      defaultText: 'build/srt/livecart-srt in the project (built by scripts/bootstrap.sh)',
      example: './build/srt/livecart-srt',
      doc: 'The SRT listener helper (libsrt), media/ingest/srt/livecart-srt.c.',
    },
    INGEST_MAX_SESSIONS: {
      kind: 'int',
      default: 64,
      min: 1,
      max: 10_000,
      doc: 'RTMP and SRT encoders one process takes at once; more are refused.',
    },
    INGEST_RECONNECT_GRACE_SECONDS: {
      kind: 'int',
      default: 10,
      min: 0,
      max: 600,
      doc:
        'An RTMP/SRT encoder that drops and comes back within this many seconds continues the same stream ' +
        '(HLS after a discontinuity); past it the stream ends.',
    },
    INGEST_BFRAMES: {
      kind: 'enum',
      values: ['reencode', 'refuse'],
      default: 'reencode',
      doc:
        'An encoder sending B-frames (WebRTC cannot play them): re-encode the WebRTC video only (HLS still ' +
        'copies), or refuse it with the fix.',
    },
    INGEST_REENCODE_PRESET: {
      kind: 'enum',
      values: X264_PRESETS,
      default: 'veryfast',
      doc: 'x264 preset of that WebRTC re-encode.',
    },
    INGEST_HANDSHAKE_TIMEOUT_SECONDS: {
      kind: 'int',
      default: 10,
      min: 1,
      max: 120,
      doc: 'An RTMP connection must be publishing within this many seconds, or it is dropped.',
    },
  }),

  ...section('LL-HLS (ffmpeg)', {
    HLS_ENABLED: { kind: 'bool', default: true, doc: 'Transcode live streams to LL-HLS.' },
    HLS_DIR: {
      kind: 'string',
      defaultText: 'DATA_DIR/media',
      example: './data/media',
      doc: 'Where playlists, parts, segments and posters go; every replica and worker must see the same folder.',
    },
    HLS_WORK_DIR: {
      kind: 'string',
      defaultText: 'DATA_DIR/hls-work',
      example: './data/hls-work',
      doc: "ffmpeg's scratch folder, local to each worker.",
    },
    HLS_LADDER: {
      kind: 'string',
      default: '720p:720:2800,480p:480:1400,360p:360:800',
      doc: "Rungs as name:lines:kbps, lines counted on the picture's short side (a portrait source's width); rungs above the source's are dropped.",
    },
    HLS_PART_MS: {
      kind: 'int',
      default: 200,
      min: 200,
      max: 2000,
      doc: 'LL-HLS part length in ms, rounded to whole frames (at most 500 for LL-HLS; players hold back 3 parts).',
    },
    HLS_PARTS_PER_SEGMENT: {
      kind: 'int',
      default: 10,
      min: 1,
      max: 20,
      doc: 'Parts per segment (each segment starts with a keyframe).',
    },
    HLS_KEYFRAME_PARTS: {
      kind: 'int',
      default: 2,
      min: 1,
      max: 20,
      doc:
        'Parts between keyframes of the encoded renditions; must divide HLS_PARTS_PER_SEGMENT. 1: every part ' +
        'is independent, so players start and switch renditions at any part, PART-HOLD-BACK from live; more ' +
        'keeps more picture per bit, but players start up to that many parts further behind.',
    },
    HLS_FPS: {
      kind: 'int',
      default: 30,
      min: 10,
      max: 60,
      doc: 'Output frame rate of re-encoded renditions.',
    },
    HLS_COPY_H264: {
      kind: 'bool',
      default: false,
      doc:
        'Copy the top rendition when the publisher sends H.264: less CPU and latency, but the publisher ' +
        'is asked for a keyframe every part and parts follow its keyframes.',
    },
    HLS_X264_PRESET: {
      kind: 'enum',
      values: X264_PRESETS,
      default: 'veryfast',
      doc: 'x264 preset of the encoded renditions (faster presets cost less CPU at a lower quality per bit).',
    },
    HLS_POSTER_SECONDS: {
      kind: 'int',
      default: 3,
      min: 1,
      max: 60,
      doc: 'Seconds between poster.jpg refreshes while live.',
    },
    HLS_REPLAY_RETENTION_DAYS: {
      kind: 'int',
      default: 7,
      min: 0,
      max: 3650,
      doc: 'Replays older than this many days are deleted by the cleanup job (0 keeps them).',
    },
    HLS_MAX_BLOCKING_PER_CLIENT: {
      kind: 'int',
      default: 16,
      min: 0,
      max: 100_000,
      doc:
        'LL-HLS requests one client address may hold waiting at once (blocking playlist reloads, ' +
        'preload-hinted parts; a player holds one or two); more get 429. 0 = no limit.',
    },
    HLS_WORKER_CONCURRENCY: {
      kind: 'int',
      default: 2,
      min: 1,
      max: 64,
      doc: 'Transcodes one process runs at once.',
    },
    HLS_RTP_HOST: {
      kind: 'ip',
      default: '127.0.0.1',
      auto: true,
      doc: "Address the SFU sends plain RTP to: this worker's address as the SFU reaches it (auto: this machine's first non-loopback IPv4, for a worker in its own container).",
    },
    HLS_RTP_MIN_PORT: {
      kind: 'int',
      default: 50000,
      min: 1024,
      max: 65534,
      doc: 'First UDP port a worker receives plain RTP on.',
    },
    HLS_RTP_MAX_PORT: {
      kind: 'int',
      default: 50999,
      min: 1025,
      max: 65535,
      doc: 'Last UDP port a worker receives plain RTP on.',
    },
  }),

  ...section('Catalog', {
    PRODUCT_IMAGE_MAX_BYTES: {
      kind: 'int',
      default: 10 * 1024 * 1024,
      min: 64 * 1024,
      max: 64 * 1024 * 1024,
      doc:
        'Largest product picture a merchant may upload (JPEG, PNG or WebP); it is stored resized under ' +
        'DATA_DIR/images.',
    },
  }),
  ...section('Orders and payments', {
    ORDER_HOLD_SECONDS: {
      kind: 'int',
      default: 600,
      min: 1,
      max: 7 * 24 * 3600,
      doc: 'How long an unpaid order holds its units before it expires.',
    },
    ORDER_SWEEP_SECONDS: {
      kind: 'int',
      default: 30,
      min: 1,
      max: 3600,
      doc: 'Period of the sweep that expires overdue holds whose expiry job was lost with a process.',
    },
    ORDER_RATE_BURST: {
      kind: 'int',
      default: 10,
      min: 1,
      max: 100000,
      doc: 'Orders a buyer may place at once before ORDER_RATE_PER_SECOND applies.',
    },
    ORDER_RATE_PER_SECOND: {
      kind: 'int',
      default: 2,
      min: 1,
      max: 100000,
      doc: 'Orders a buyer may place per second, sustained.',
    },
    ORDER_OPTIMISTIC_ATTEMPTS: {
      kind: 'int',
      default: 3,
      min: 0,
      max: 10,
      doc:
        'Read-decide-write rounds of a reservation batch before it is reserved under row locks (a round ' +
        'is lost only when another replica changed the same product meanwhile; 0: always under locks).',
    },
    PAYMENT_PROVIDER: {
      kind: 'enum',
      values: ['simulated'],
      default: 'simulated',
      doc: 'Payment provider; `simulated` is built in (its checkout page pays through the signed webhook).',
    },
    PAYMENT_WEBHOOK_SECRET: {
      kind: 'string',
      defaultText: 'generated once into DATA_DIR; required in production',
      example: '',
      doc: "HMAC-SHA256 secret of the payment provider's webhook signatures, 32+ characters.",
    },
    PAYMENT_WEBHOOK_TOLERANCE_SECONDS: {
      kind: 'int',
      default: 300,
      min: 10,
      max: 86400,
      doc: 'Payment webhooks whose signed timestamp is older than this are refused.',
    },
  }),

  ...section('Live room', {
    CHAT_RATE_PER_SECOND: {
      kind: 'int',
      default: 1,
      min: 1,
      max: 1000,
      doc: 'Chat messages a user may send per second, sustained.',
    },
    CHAT_RATE_BURST: {
      kind: 'int',
      default: 5,
      min: 1,
      max: 1000,
      doc: 'Chat messages a user may send at once before the rate applies.',
    },
    LIVE_PRESENCE_PERIOD_MS: {
      kind: 'int',
      default: 10_000,
      min: 500,
      max: 300_000,
      doc:
        "Presence heartbeat: each replica re-announces its viewers once a period; a crashed replica's " +
        'viewers age out within about one period and a half.',
    },
    LIVE_VIEWERS_INTERVAL_MS: {
      kind: 'int',
      default: 1000,
      min: 1000,
      max: 60_000,
      doc: 'How often the viewer count may be sent.',
    },
    LIVE_REACTION_WINDOW_MS: {
      kind: 'int',
      default: 250,
      min: 10,
      max: 250,
      doc: 'Reactions are summed over windows of this length and sent once per window.',
    },
    LIVE_REACTIONS_PER_SECOND: {
      kind: 'int',
      default: 20,
      min: 1,
      max: 1000,
      doc: 'Reactions one connection may send per second (bursts of twice that).',
    },
    LIVE_STATS_FLUSH_MS: {
      kind: 'int',
      default: 5000,
      min: 100,
      max: 600_000,
      doc: 'How often peak and unique viewers and likes are written to stream_stats.',
    },
    LIVE_CHAT_BATCH_MS: {
      kind: 'int',
      default: 50,
      min: 0,
      max: 250,
      doc:
        'In a big room, chat lines relayed within this window leave as one chat:messages frame per ' +
        'viewer (a frame costs a socket write whatever it carries; see ChatFanout). 0 turns batching off.',
    },
    LIVE_CHAT_BATCH_MIN_VIEWERS: {
      kind: 'int',
      default: 250,
      min: 1,
      max: 1_000_000,
      doc: 'Rooms with fewer connections than this on a replica are never batched: every line leaves at once.',
    },
    LIVE_FANOUT_CHUNK: {
      kind: 'int',
      default: 500,
      min: 1,
      max: 1_000_000,
      doc: 'A room event goes to at most this many sockets of a replica before other work gets a turn (RoomEmitter).',
    },
    LIVE_DIRECT_WRITE: {
      kind: 'bool',
      default: true,
      doc:
        "A room frame goes as one write straight to each idle websocket, skipping engine.io's per-socket " +
        "bookkeeping (same bytes, less CPU; see FrameWriter); false sends every frame through socket.io's broadcast.",
    },
    LIVE_MAX_CONNECTIONS_PER_IP: {
      kind: 'int',
      default: 200,
      min: 0,
      max: 1_000_000,
      doc:
        'Concurrent /live connections one client address may hold on a replica; more are refused with the ' +
        'connect error too_many_connections. 0 = no limit.',
    },
    LIVE_MAX_ANONYMOUS_VIEWERS_PER_IP: {
      kind: 'int',
      default: 20,
      min: 0,
      max: 1_000_000,
      doc:
        "Anonymous viewers (device ids) one address adds to a stream's viewer count on a replica; more " +
        'still watch but count together as one. 0 = no limit.',
    },
  }),

  ...section('Reports', {
    REPORTS_FOLD_MS: {
      kind: 'int',
      default: 1000,
      min: 50,
      max: 60_000,
      doc:
        'How often the order journal is folded into the GMV rollups, and the live GMV ticker cadence; ' +
        'reports fold before they read, so this never makes a report stale.',
    },
    REPORTS_FOLD_BATCH: {
      kind: 'int',
      default: 5_000,
      min: 100,
      max: 1_000_000,
      doc:
        'Journal rows folded per transaction (the background folder runs one per tick); a larger ' +
        'transaction costs more per row and holds its snapshot longer.',
    },
    REPORTS_FOLD_MAX_PERCENT: {
      kind: 'int',
      default: 20,
      min: 1,
      max: 100,
      doc:
        'Largest share of wall time the background folder spends folding while orders are journaled, so ' +
        'a flash sale keeps the CPU for orders; once the journal stops growing it catches up back to back.',
    },
  }),

  ...section('Merchant webhooks', {
    WEBHOOK_MAX_ATTEMPTS: {
      kind: 'int',
      default: 8,
      min: 1,
      max: 50,
      doc: 'Tries per delivery, the first included, before it is marked failed.',
    },
    WEBHOOK_BACKOFF_MS: {
      kind: 'int',
      default: 10_000,
      min: 10,
      max: 3_600_000,
      doc: 'Delay before the first retry; it doubles on each retry.',
    },
    WEBHOOK_TIMEOUT_MS: {
      kind: 'int',
      default: 10_000,
      min: 100,
      max: 120_000,
      doc: 'A receiver must answer within this.',
    },
    WEBHOOK_MAX_PER_MERCHANT: {
      kind: 'int',
      default: 20,
      min: 1,
      max: 1000,
      doc: 'Registered URLs per merchant.',
    },
    WEBHOOK_ALLOW_PRIVATE: {
      kind: 'bool',
      default: false,
      doc:
        'Deliver to loopback, private and link-local addresses (the SSRF guard off): tests and trusted ' +
        'networks only.',
    },
  }),
};

export type OptionName = keyof typeof OPTIONS;
