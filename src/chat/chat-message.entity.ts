import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One chat line. Deleted and word-filtered lines stay stored for moderation, hidden from viewers. */
@Entity({ name: 'chat_messages' })
export class ChatMessageEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  /** Insert order (identity): the stable order of the chat and the history cursor. */
  @Column({ type: 'bigint', insert: false, update: false })
  seq!: string;

  @Column({ name: 'stream_id', type: 'uuid' })
  streamId!: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId!: string;

  /** The author's display name when they wrote it. */
  @Column({ name: 'user_name', type: 'text' })
  userName!: string;

  @Column({ type: 'text' })
  text!: string;

  /** Matched the stream's word list: kept, shown to nobody but its author's ack. */
  @Column({ type: 'boolean', default: false })
  hidden!: boolean;

  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;

  @Column({ name: 'deleted_by', type: 'uuid', nullable: true })
  deletedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
