import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { AccessCheck } from '../common/auth/access-check';
import type { VerifiedUser } from '../common/auth/roles';
import { UnavailableError } from '../common/errors/domain-errors';
import { Sql } from '../database/sql';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub, Unsubscribe } from '../infra/pubsub';

/** The channel on which every replica hears of a raised token version. */
export const TOKEN_VERSIONS_CHANNEL = 'auth:token-versions';

/**
 * How long a replica answers from what it knows of a user's token version
 * before it looks again. A raise is applied at once on the replica that made
 * it and within milliseconds on the others (pub/sub); this bounds the
 * staleness only if a pub/sub message is lost (a Redis failover).
 */
export const TOKEN_VERSION_FRESH_MS = 30_000;

/** Users a replica remembers; the oldest are forgotten first. */
const MAX_KNOWN = 200_000;

/** Version of a user that does not exist: no token matches it. */
const NO_USER = -1;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Known {
  version: number;
  at: number;
}

/**
 * The AccessCheck of access tokens: a token stands when its user exists and
 * its `ver` claim is the user's current token version
 * (user_token_versions, 0 without a row).
 *
 * Hot path: a user answered in the last TOKEN_VERSION_FRESH_MS is answered
 * synchronously from memory. Others (a buyer's first order, a user not seen
 * for half a minute) wait for one lookup, shared by every request of the same
 * event-loop turn (`WHERE id = ANY($1)`), so a flash sale of thousands of
 * buyers costs a few batched primary-key reads, not one per request.
 */
@Injectable()
export class TokenVersions implements AccessCheck, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('TokenVersions');
  private readonly known = new Map<string, Known>();
  private queue = new Map<string, { resolve: (v: number) => void; reject: (e: unknown) => void }[]>();
  private scheduled = false;
  private readonly listeners: ((userId: string, version: number) => void)[] = [];
  private unsubscribe?: Unsubscribe;

  constructor(
    private readonly sql: Sql,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
  ) {}

  async onModuleInit(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(TOKEN_VERSIONS_CHANNEL, (m) => {
      const { userId, version } = (m ?? {}) as { userId?: unknown; version?: unknown };
      if (typeof userId !== 'string' || typeof version !== 'number') return;
      this.remember(userId, version, Date.now());
      for (const l of this.listeners) l(userId, version);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.unsubscribe?.();
  }

  isCurrent(user: VerifiedUser): boolean | Promise<boolean> {
    const k = this.known.get(user.id);
    if (k && Date.now() - k.at < TOKEN_VERSION_FRESH_MS) return k.version === user.ver;
    return this.load(user.id).then((v) => v === user.ver);
  }

  onRevoked(listener: (userId: string, version: number) => void): void {
    this.listeners.push(listener);
  }

  /** A user's current version, read now (issuing a token is not the hot path). */
  async current(userId: string): Promise<number> {
    const [row] = await this.sql.query<{ version: number }>(
      `SELECT coalesce((SELECT version FROM user_token_versions WHERE user_id = $1), 0) AS version`,
      [userId],
    );
    this.remember(userId, row.version, Date.now());
    return row.version;
  }

  /**
   * Ends every access token of a user issued so far: raises their version,
   * here at once and on every replica through pub/sub (whose listeners also
   * end the user's live sockets). Returns the new version.
   */
  async raise(userId: string): Promise<number> {
    const [row] = await this.sql.query<{ version: number }>(
      `INSERT INTO user_token_versions (user_id, version) VALUES ($1, 1)
       ON CONFLICT (user_id) DO UPDATE SET version = user_token_versions.version + 1
       RETURNING version`,
      [userId],
    );
    this.remember(userId, row.version, Date.now());
    await this.pubsub.publish(TOKEN_VERSIONS_CHANNEL, { userId, version: row.version });
    return row.version;
  }

  /** Versions only go up: an answer read before a raise never undoes it. */
  private remember(userId: string, version: number, at: number): void {
    const prev = this.known.get(userId);
    if (prev && prev.version > version && at - prev.at < TOKEN_VERSION_FRESH_MS) return;
    if (!prev && this.known.size >= MAX_KNOWN) {
      let drop = MAX_KNOWN / 10;
      for (const key of this.known.keys()) {
        this.known.delete(key);
        if (--drop <= 0) break;
      }
    }
    this.known.set(userId, { version, at });
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
        const version = found.get(id) ?? NO_USER;
        this.remember(id, version, at);
        for (const w of waiters) w.resolve(this.known.get(id)?.version ?? version);
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
