import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Audience numbers of one stream, kept up to date while it runs (read by the reports). */
@Entity({ name: 'stream_stats' })
export class StreamStatsEntity {
  @PrimaryColumn({ name: 'stream_id', type: 'uuid' })
  streamId!: string;

  /** Highest concurrent unique viewer count seen. */
  @Column({ name: 'peak_viewers', type: 'integer', default: 0 })
  peakViewers!: number;

  /** Distinct viewers (signed-in users and anonymous devices) who ever joined. */
  @Column({ name: 'unique_viewers', type: 'integer', default: 0 })
  uniqueViewers!: number;

  @Column({
    type: 'bigint',
    default: 0,
    transformer: { to: (v: number) => v, from: (v: string) => Number(v) },
  })
  likes!: number;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
