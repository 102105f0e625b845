import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { AccessCheck } from '../common/auth/access-check';
import type { VerifiedUser } from '../common/auth/roles';
import { UnavailableError } from '../common/errors/domain-errors';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { Sql } from '../database/sql';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub, Unsubscribe } from '../infra/pubsub';

/** The channel on which every replica hears of a raised token version. */
export const TOKEN_VERSIONS_CHANNEL = 'auth:token-versions';

/**
 * How often a replica reads the raises of the last moments from the
 * database: a raise reaches other replicas over pub/sub within milliseconds,
 * and within this if a pub/sub message is lost (a Redis failover).
 */
export const TOKEN_RAISES_POLL_MS = 5_000;

/**
 * How long a user seen to exist is not looked up again. The API deletes no
 * users; one deleted by hand keeps working tokens on a replica for at most
 * this long (its refresh tokens go with it, so at most the access token's
 * lifetime anyway).
 */
export const USER_KNOWN_MS = 10 * 60_000;

/** Users a replica remembers as existing; the oldest are forgotten first. */
const MAX_KNOWN = 500_000;

/** Version of a user that does not exist: no token stands for it. */
const NO_USER = -1;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Raise {
  version: number;
  /** When it was raised (ms): tokens issued before then have expired an access-token lifetime later. */
  at: number;
}

/**
 * The AccessCheck of access tokens: a token stands when its user exists and
 * its `ver` claim is at least the user's token version
 * (user_token_versions, 0 without a row; only forged tokens could carry a
 * higher one).
 *
 * No database read per request. Each replica keeps the raises of the last
 * access-token lifetime in memory (a raise is rare: a role change, a sign-out
 * everywhere, a reused refresh token): loaded at boot, told by pub/sub, and
 * read again from the database every TOKEN_RAISES_POLL_MS. Older raises need
 * no memory: every token issued before them has expired. Whether a user
 * exists is looked up once per USER_KNOWN_MS per replica, in one query shared
 * by every request of the same event-loop turn (`WHERE id = ANY($1)`), or,
 * on @ConfirmsUser routes, by the handler's own read.
 */
@Injectable()
export class TokenVersions implements AccessCheck, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TokenVersions');
  private readonly raises = new Map<string, Raise>();
  private readonly known = new Map<string, number>();
  private queue = new Map<string, { resolve: (v: number) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;
  private readonly listeners: ((userId: string, version: number) => void)[] = [];
  private unsubscribe?: Unsubscribe;
  private poller?: NodeJS.Timeout;
  /** Raises older than this are no longer needed: access tokens issued before them have expired. */
  private readonly windowMs: number;
  private polledUpTo = 0;

  constructor(
    private readonly sql: Sql,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.windowMs = config.auth.tokenTtlSeconds * 1000 + 60_000;
  }

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(TOKEN_VERSIONS_CHANNEL, (m) => {
      const { userId, version, at } = (m ?? {}) as { userId?: unknown; version?: unknown; at?: unknown };
      if (typeof userId !== 'string' || typeof version !== 'number' || typeof at !== 'number') return;
      this.raised(userId, { version, at });
    });
    await this.poll(Date.now() - this.windowMs);
    this.poller = setInterval(() => void this.poll(this.polledUpTo), TOKEN_RAISES_POLL_MS);
    this.poller.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.poller);
    await this.unsubscribe?.();
  }

  isCurrent(user: VerifiedUser, deferExistence = false): boolean | 'unconfirmed' | Promise<boolean> {
    const raise = this.raises.get(user.id);
    if (raise && user.ver < raise.version) return false;
    const seen = this.known.get(user.id);
    if (seen !== undefined && Date.now() - seen < USER_KNOWN_MS) return true;
    // Every raise of the last token lifetime is in `raises`, so all that is
    // left to check is that the user exists: the handler's own read does.
    if (deferExistence) return UUID.test(user.id) ? 'unconfirmed' : false;
    return this.load(user.id).then((version) => version !== NO_USER && user.ver >= version);
  }

  confirmed(userIds: string[]): void {
    const now = Date.now();
    for (const id of userIds) this.remember(id, now);
  }

  onRevoked(listener: (userId: string, version: number) => void): void {
    this.listeners.push(listener);
  }

  /** A user's current version, read now, for a token being issued (not the hot path). */
  async current(userId: string): Promise<number> {
    const [row] = await this.sql.query<{ version: number }>(
      `SELECT coalesce((SELECT version FROM user_token_versions WHERE user_id = $1), 0) AS version`,
      [userId],
    );
    this.remember(userId, Date.now());
    return row.version;
  }

  /**
   * Ends every access token of a user issued so far: raises their version,
   * here at once and on every replica through pub/sub (whose listeners also
   * end the user's live sockets). Returns the new version.
   */
  async raise(userId: string): Promise<number> {
    const [row] = await this.sql.query<{ version: number; at: Date }>(
      `INSERT INTO user_token_versions (user_id, version, raised_at) VALUES ($1, 1, now())
       ON CONFLICT (user_id) DO UPDATE SET version = user_token_versions.version + 1, raised_at = now()
       RETURNING version, raised_at AS at`,
      [userId],
    );
    const raise = { version: row.version, at: row.at.getTime() };
    this.raised(userId, raise, false);
    await this.pubsub.publish(TOKEN_VERSIONS_CHANNEL, { userId, ...raise });
    return row.version;
  }

  /** Records a raise (versions only go up) and tells the listeners when it is news. */
  private raised(userId: string, raise: Raise, notify = true): void {
    const prev = this.raises.get(userId);
    if (!prev || raise.version > prev.version) this.raises.set(userId, raise);
    // Pub/sub also delivers a replica's own raises: listeners hear each raise from there.
    if (notify && (!prev || raise.version >= prev.version)) {
      for (const l of this.listeners) l(userId, raise.version);
    }
  }

  /** Reads the raises since `from` (ms) and forgets those no token needs any more. */
  private async poll(from: number): Promise<void> {
    const started = Date.now();
    try {
      const rows = await this.sql.query<{ userId: string; version: number; at: Date }>(
        `SELECT user_id AS "userId", version, raised_at AS at FROM user_token_versions WHERE raised_at >= $1`,
        // A few seconds of overlap: clocks and commits are not instantaneous.
        [new Date(from - 5_000)],
      );
      for (const r of rows) {
        const prev = this.raises.get(r.userId);
        if (!prev || r.version > prev.version)
          this.raised(r.userId, { version: r.version, at: r.at.getTime() });
      }
      this.polledUpTo = started;
    } catch (e) {
      this.logger.warn(`token version poll failed: ${(e as Error).message}`);
    }
    for (const [userId, r] of this.raises) if (started - r.at > this.windowMs) this.raises.delete(userId);
  }

  private remember(userId: string, at: number): void {
    if (!this.known.has(userId) && this.known.size >= MAX_KNOWN) {
      let drop = MAX_KNOWN / 10;
      for (const key of this.known.keys()) {
        this.known.delete(key);
        if (--drop <= 0) break;
      }
    }
    this.known.set(userId, at);
  }

  private load(userId: string): Promise<number> {
    if (!UUID.test(userId)) return Promise.resolve(NO_USER);
    return new Promise((resolve, reject) => {
      const waiting = this.queue.get(userId);
      if (waiting) waiting.push({ resolve, reject });
      else this.queue.set(userId, [{ resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = new Map();
    try {
      const rows = await this.sql.query<{ id: string; version: number }>({
        name: 'lc_token_versions',
        text: `SELECT u.id, coalesce(v.version, 0) AS version
               FROM users u LEFT JOIN user_token_versions v ON v.user_id = u.id
               WHERE u.id = ANY($1::uuid[])`,
        values: [[...batch.keys()]],
      });
      const found = new Map(rows.map((r) => [r.id, r.version]));
      const at = Date.now();
      for (const [id, waiters] of batch) {
        const version = found.get(id);
        if (version !== undefined) this.remember(id, at);
        for (const w of waiters) w.resolve(version ?? NO_USER);
      }
    } catch (e) {
      this.logger.warn(`token version lookup failed: ${(e as Error).message}`);
      const unavailable = new UnavailableError(
        'Cannot check this session right now; try again',
        'unavailable',
        1,
      );
      for (const waiters of batch.values()) for (const w of waiters) w.reject(unavailable);
    }
  }
}
