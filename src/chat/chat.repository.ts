import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { ChatMessage } from '../room/protocol';
import { ChatMessageEntity } from './chat-message.entity';

interface Row {
  id: string;
  seq: string;
  user_id: string;
  user_name: string;
  text: string;
  created_at: Date;
}

const toMessage = (r: Row): ChatMessage => ({
  id: r.id,
  user: { id: r.user_id, name: r.user_name },
  text: r.text,
  at: r.created_at.toISOString(),
});

/** Chat lines in Postgres. */
@Injectable()
export class ChatRepository {
  constructor(@InjectRepository(ChatMessageEntity) private readonly repo: Repository<ChatMessageEntity>) {}

  async insert(m: {
    id: string;
    streamId: string;
    userId: string;
    userName: string;
    text: string;
    hidden: boolean;
  }): Promise<ChatMessage> {
    const rows: Row[] = await this.repo.query(
      `INSERT INTO chat_messages (id, stream_id, user_id, user_name, text, hidden)
       VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id, seq, user_id, user_name, text, created_at`,
      [m.id, m.streamId, m.userId, m.userName, m.text, m.hidden],
    );
    return toMessage(rows[0]);
  }

  /**
   * Visible lines of a stream older than a cursor, oldest first. `before` is a
   * message id (exclusive) or a time (exclusive); neither: the newest lines.
   */
  async page(
    streamId: string,
    opts: { limit: number; beforeId?: string; beforeTime?: Date },
  ): Promise<ChatMessage[]> {
    const params: unknown[] = [streamId, opts.limit];
    let cursor = '';
    if (opts.beforeId) {
      params.push(opts.beforeId);
      cursor = `AND seq < (SELECT seq FROM chat_messages WHERE id = $3 AND stream_id = $1)`;
    } else if (opts.beforeTime) {
      params.push(opts.beforeTime);
      cursor = `AND created_at < $3`;
    }
    const rows: Row[] = await this.repo.query(
      `SELECT id, seq, user_id, user_name, text, created_at FROM chat_messages
        WHERE stream_id = $1 AND deleted_at IS NULL AND NOT hidden ${cursor}
        ORDER BY seq DESC LIMIT $2`,
      params,
    );
    return rows.reverse().map(toMessage);
  }

  /** True when the message exists in this stream (deleted or not). */
  async exists(streamId: string, id: string): Promise<boolean> {
    return this.repo.existsBy({ streamId, id });
  }

  /** Marks a message deleted; false when it was not there or already deleted. */
  async softDelete(streamId: string, id: string, by: string): Promise<boolean> {
    const res = await this.repo
      .createQueryBuilder()
      .update()
      .set({ deletedAt: () => 'now()', deletedBy: by })
      .where('id = :id AND stream_id = :streamId AND deleted_at IS NULL', { id, streamId })
      .execute();
    return (res.affected ?? 0) > 0;
  }
}
