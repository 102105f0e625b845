import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { StreamStatus } from '../room/protocol';
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
    status?: StreamStatus;
    ownerId?: string;
    limit: number;
    offset: number;
  }): Promise<[StreamEntity[], number]> {
    return this.repo.findAndCount({
      where: { ...(opts.status && { status: opts.status }), ...(opts.ownerId && { ownerId: opts.ownerId }) },
      order: { createdAt: 'DESC', id: 'ASC' },
      take: opts.limit,
      skip: opts.offset,
    });
  }

  async setKeyHash(id: string, streamKeyHash: string): Promise<void> {
    await this.repo.update({ id }, { streamKeyHash });
  }

  /**
   * Moves a stream along created → live → ended with one conditional UPDATE,
   * so two racing requests cannot both win. Returns the row when it moved.
   */
  async transition(id: string, from: StreamStatus[], to: StreamStatus): Promise<StreamEntity | null> {
    const stamp = to === 'live' ? ', started_at = now()' : to === 'ended' ? ', ended_at = now()' : '';
    const rows: unknown = await this.repo.query(
      `UPDATE streams SET status = $2${stamp} WHERE id = $1 AND status = ANY($3::text[]) RETURNING id`,
      [id, to, from],
    );
    const [list] = rows as [unknown[], number];
    if (!Array.isArray(list) || list.length === 0) return null;
    return this.findById(id);
  }
}
