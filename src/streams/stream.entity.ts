import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { StreamStatus } from '../room/protocol';

@Entity({ name: 'streams' })
export class StreamEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** The streamer who owns the stream. */
  @Column({ name: 'owner_id', type: 'uuid' })
  ownerId!: string;

  /** The shop whose products the stream sells, if any. */
  @Column({ name: 'merchant_id', type: 'uuid', nullable: true })
  merchantId!: string | null;

  @Column({ type: 'text' })
  title!: string;

  @Column({ type: 'text' })
  status!: StreamStatus;

  /** SHA-256 of the stream key; the key itself is shown once and never stored. */
  @Column({ name: 'stream_key_hash', type: 'text', select: false })
  streamKeyHash!: string;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  /** When the publisher of a live stream was last lost (kept as history). */
  @Column({ name: 'publisher_lost_at', type: 'timestamptz', nullable: true })
  publisherLostAt!: Date | null;

  /** Set while a live stream waits for its publisher: it ends then unless the publisher is back. */
  @Column({ name: 'reconnect_deadline', type: 'timestamptz', nullable: true })
  reconnectDeadline!: Date | null;

  /** Its HLS playlists are closed (EXT-X-ENDLIST) and kept: the same URL plays the replay. */
  @Column({ name: 'replay_ready', type: 'boolean', default: false })
  replayReady!: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
