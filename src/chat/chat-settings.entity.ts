import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** Per-stream chat rules set by its moderators. A stream without a row has the defaults. */
@Entity({ name: 'chat_settings' })
export class ChatSettingsEntity {
  @PrimaryColumn({ name: 'stream_id', type: 'uuid' })
  streamId!: string;

  /** Seconds between two messages of one viewer; 0 = off. */
  @Column({ name: 'slow_mode_seconds', type: 'integer', default: 0 })
  slowModeSeconds!: number;

  /** Lower-cased words and phrases that hide a message. */
  @Column({ name: 'blocked_words', type: 'text', array: true, default: () => "'{}'" })
  blockedWords!: string[];

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
