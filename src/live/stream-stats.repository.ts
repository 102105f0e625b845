import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { StreamStatsEntity } from './stream-stats.entity';

export interface StreamStats {
  peakViewers: number;
  uniqueViewers: number;
  likes: number;
}

/** Per-stream audience numbers; writes only ever raise them, so replicas cannot undo each other. */
@Injectable()
export class StreamStatsRepository {
  constructor(@InjectRepository(StreamStatsEntity) private readonly repo: Repository<StreamStatsEntity>) {}

  async get(streamId: string): Promise<StreamStats | null> {
    const row = await this.repo.findOneBy({ streamId });
    return row ? { peakViewers: row.peakViewers, uniqueViewers: row.uniqueViewers, likes: row.likes } : null;
  }

  async raise(streamId: string, s: StreamStats): Promise<void> {
    await this.repo.query(
      `INSERT INTO stream_stats (stream_id, peak_viewers, unique_viewers, likes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (stream_id) DO UPDATE SET
         peak_viewers = GREATEST(stream_stats.peak_viewers, EXCLUDED.peak_viewers),
         unique_viewers = GREATEST(stream_stats.unique_viewers, EXCLUDED.unique_viewers),
         likes = GREATEST(stream_stats.likes, EXCLUDED.likes),
         updated_at = now()`,
      [streamId, s.peakViewers, s.uniqueViewers, s.likes],
    );
  }
}
