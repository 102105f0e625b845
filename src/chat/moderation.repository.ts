import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ChatSanctionEntity, type SanctionKind } from './chat-sanction.entity';
import { ChatSettingsEntity } from './chat-settings.entity';

export interface ChatSettings {
  slowModeSeconds: number;
  blockedWords: string[];
}

/** Mutes, bans and per-stream chat rules in Postgres. */
@Injectable()
export class ModerationRepository {
  constructor(
    @InjectRepository(ChatSanctionEntity) private readonly sanctions: Repository<ChatSanctionEntity>,
    @InjectRepository(ChatSettingsEntity) private readonly settings: Repository<ChatSettingsEntity>,
  ) {}

  async getSettings(streamId: string): Promise<ChatSettings> {
    const row = await this.settings.findOneBy({ streamId });
    return { slowModeSeconds: row?.slowModeSeconds ?? 0, blockedWords: row?.blockedWords ?? [] };
  }

  async updateSettings(streamId: string, patch: Partial<ChatSettings>): Promise<ChatSettings> {
    const current = await this.getSettings(streamId);
    const next = { ...current, ...patch };
    await this.settings.upsert(
      { streamId, slowModeSeconds: next.slowModeSeconds, blockedWords: next.blockedWords },
      ['streamId'],
    );
    return next;
  }

  /** The sanctions of a user in a stream that are still in force. */
  async activeSanctions(
    streamId: string,
    userId: string,
  ): Promise<{ kind: SanctionKind; until: Date | null }[]> {
    const rows = await this.sanctions
      .createQueryBuilder('s')
      .select(['s.kind', 's.until'])
      .where('s.stream_id = :streamId AND s.user_id = :userId', { streamId, userId })
      .andWhere('(s.until IS NULL OR s.until > now())')
      .getMany();
    return rows.map((r) => ({ kind: r.kind, until: r.until }));
  }

  async putSanction(s: {
    streamId: string;
    userId: string;
    kind: SanctionKind;
    until: Date | null;
    createdBy: string;
  }): Promise<void> {
    await this.sanctions.upsert(s, ['streamId', 'userId', 'kind']);
  }

  async removeSanction(streamId: string, userId: string, kind: SanctionKind): Promise<boolean> {
    const res = await this.sanctions.delete({ streamId, userId, kind });
    return (res.affected ?? 0) > 0;
  }
}
