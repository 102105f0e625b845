import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const SANCTION_KINDS = ['mute', 'ban'] as const;
export type SanctionKind = (typeof SANCTION_KINDS)[number];

/** A mute (until a time) or a ban (no end) of one user in one stream's chat. */
@Entity({ name: 'chat_sanctions' })
export class ChatSanctionEntity {
  @PrimaryColumn({ name: 'stream_id', type: 'uuid' })
  streamId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId!: string;

  @PrimaryColumn({ type: 'text' })
  kind!: SanctionKind;

  /** End of a mute; null for a ban. */
  @Column({ type: 'timestamptz', nullable: true })
  until!: Date | null;

  @Column({ name: 'created_by', type: 'uuid' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
