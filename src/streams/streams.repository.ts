import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import type { StreamState, StreamStatus } from '../room/protocol';
import { StreamEntity } from './stream.entity';

@Injectable()
export class StreamsRepository {
  constructor(@InjectRepository(StreamEntity) private readonly repo: Repository<StreamEntity>) {}

  create(s: {
    ownerId: string;
    merchantId: string | null;
    title: string;
    streamKeyHash: string;
  }): Promise<StreamEntity> {
    return this.repo.save(this.repo.create({ ...s, status: 'created' }));
  }

  findById(id: string): Promise<StreamEntity | null> {
    return this.repo.findOneBy({ id });
  }

  /** The stream whose key hashes to this (the unique index streams_key_hash_key), with its hash. */
  async findByKeyHash(streamKeyHash: string): Promise<{ stream: StreamEntity; hash: string } | null> {
    const row = await this.repo
      .createQueryBuilder('s')
      .addSelect('s.streamKeyHash')
      .where('s.stream_key_hash = :h', { h: streamKeyHash })
      .getOne();
    return row ? { stream: row, hash: row.streamKeyHash } : null;
  }

  /** Includes the (hashed) key, which is not selected by default. */
  async findKeyHash(id: string): Promise<string | null> {
    const row = await this.repo
      .createQueryBuilder('s')
      .select('s.stream_key_hash', 'h')
      .where('s.id = :id', { id })
      .getRawOne<{ h: string }>();
    return row?.h ?? null;
  }

  list(opts: {
    status?: StreamState;
    ownerId?: string;
    replay?: boolean;
    limit: number;
    offset: number;
  }): Promise<[StreamEntity[], number]> {
    const status =
      opts.status === 'reconnecting'
        ? { status: 'live' as const, reconnectDeadline: Not(IsNull()) }
        : opts.status && { status: opts.status };
    return this.repo.findAndCount({
      where: {
        ...status,
        ...(opts.ownerId && { ownerId: opts.ownerId }),
        ...(opts.replay && { replayReady: true }),
      },
      // Replays: the most recently ended first.
      order: opts.replay ? { endedAt: 'DESC', id: 'ASC' } : { createdAt: 'DESC', id: 'ASC' },
      take: opts.limit,
      skip: opts.offset,
    });
  }

  /** Display names of users (the shops streams sell for). */
  async names(ids: string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; display_name: string }[] = await this.repo.query(
      'SELECT id, display_name FROM users WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, r.display_name]));
  }

  /** Changes title and shop; the shop only while the stream has not gone live. Null when it had. */
  async update(
    id: string,
    patch: { title?: string; merchantId?: string | null },
  ): Promise<StreamEntity | null> {
    const sets: string[] = [];
    const params: unknown[] = [id];
    if (patch.title !== undefined) {
      params.push(patch.title);
      sets.push(`title = $${params.length}`);
    }
    const shop = patch.merchantId !== undefined;
    if (shop) {
      params.push(patch.merchantId);
      sets.push(`merchant_id = $${params.length}`);
    }
    if (sets.length === 0) return this.findById(id);
    const rows: unknown = await this.repo.query(
      `UPDATE streams SET ${sets.join(', ')} WHERE id = $1
       AND status ${shop ? "= 'created' AND started_at IS NULL" : "<> 'ended'"} RETURNING id`,
      params,
    );
    const [list] = rows as [unknown[], number];
    if (!Array.isArray(list) || list.length === 0) return null;
    return this.findById(id);
  }

  /**
   * A publisher is sending: created → live (its start), or a live stream
   * whose publisher was lost and whose grace has not passed goes on. Null
   * when neither (ended, or its grace is over). `was` says which.
   */
  async connect(
    id: string,
  ): Promise<{ stream: StreamEntity; was: 'created' | 'reconnecting' | 'live' } | null> {
    const rows: unknown = await this.repo.query(
      `WITH prev AS (SELECT id, status, reconnect_deadline FROM streams WHERE id = $1 FOR UPDATE)
       UPDATE streams s SET status = 'live', reconnect_deadline = NULL,
         started_at = CASE WHEN prev.status = 'created' THEN now() ELSE s.started_at END
       FROM prev WHERE s.id = prev.id
         AND (prev.status = 'created'
              OR (prev.status = 'live' AND (prev.reconnect_deadline IS NULL OR prev.reconnect_deadline > now())))
       RETURNING prev.status AS was_status, prev.reconnect_deadline AS was_deadline`,
      [id],
    );
    const [list] = rows as [{ was_status: StreamStatus; was_deadline: Date | null }[], number];
    if (!Array.isArray(list) || list.length === 0) return null;
    const was = list[0].was_status === 'created' ? 'created' : list[0].was_deadline ? 'reconnecting' : 'live';
    return { stream: (await this.findById(id))!, was };
  }

  /**
   * The publisher of a live stream is gone: it waits `graceSeconds` for it.
   * Returns the deadline when this call started the wait (not when the stream
   * was already waiting, or is not live).
   */
  async lose(id: string, graceSeconds: number): Promise<Date | null> {
    const rows: unknown = await this.repo.query(
      `UPDATE streams SET publisher_lost_at = now(), reconnect_deadline = now() + make_interval(secs => $2)
       WHERE id = $1 AND status = 'live' AND reconnect_deadline IS NULL RETURNING reconnect_deadline`,
      [id, graceSeconds],
    );
    const [list] = rows as [{ reconnect_deadline: Date }[], number];
    return Array.isArray(list) && list.length > 0 ? list[0].reconnect_deadline : null;
  }

  /** Ends the live streams (or the one stream) whose publisher did not come back in time. */
  async expireGraces(id?: string): Promise<StreamEntity[]> {
    const rows: unknown = await this.repo.query(
      `UPDATE streams SET status = 'ended', ended_at = now(), reconnect_deadline = NULL
       WHERE status = 'live' AND reconnect_deadline <= now() AND ($1::uuid IS NULL OR id = $1)
       RETURNING id`,
      [id ?? null],
    );
    const [list] = rows as [{ id: string }[], number];
    if (!Array.isArray(list) || list.length === 0) return [];
    return (await Promise.all(list.map((r) => this.findById(r.id)))).filter(
      (s): s is StreamEntity => s !== null,
    );
  }

  async setReplayReady(id: string, ready: boolean): Promise<void> {
    await this.repo.update({ id }, { replayReady: ready });
  }

  async setKeyHash(id: string, streamKeyHash: string): Promise<void> {
    await this.repo.update({ id }, { streamKeyHash });
  }

  /**
   * Moves a stream along created → live → ended with one conditional UPDATE,
   * so two racing requests cannot both win. Returns the row when it moved.
   */
  async transition(id: string, from: StreamStatus[], to: StreamStatus): Promise<StreamEntity | null> {
    const stamp =
      to === 'live'
        ? ', started_at = now()'
        : to === 'ended'
          ? ', ended_at = now(), reconnect_deadline = NULL'
          : '';
    const rows: unknown = await this.repo.query(
      `UPDATE streams SET status = $2${stamp} WHERE id = $1 AND status = ANY($3::text[]) RETURNING id`,
      [id, to, from],
    );
    const [list] = rows as [unknown[], number];
    if (!Array.isArray(list) || list.length === 0) return null;
    return this.findById(id);
  }
}
