import { Injectable } from '@nestjs/common';
import { UsersRepository } from '../auth/users.repository';
import type { AuthUser } from '../common/auth/roles';
import {
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../common/errors/domain-errors';
import type { LinkedStreamerDto, LinkStreamerDto } from './dto/merchant.dto';
import { MerchantLinksRepository } from './merchant-links.repository';

@Injectable()
export class MerchantLinksService {
  constructor(
    private readonly links: MerchantLinksRepository,
    private readonly users: UsersRepository,
  ) {}

  /** A merchant links a streamer (by id or email) so the streamer can run streams selling its products. */
  async link(
    merchant: AuthUser,
    dto: LinkStreamerDto,
  ): Promise<{ link: LinkedStreamerDto; created: boolean }> {
    if ((dto.streamerId === undefined) === (dto.email === undefined)) {
      throw new ValidationError('Give exactly one of streamerId or email');
    }
    const who = dto.streamerId ?? dto.email!;
    const user = dto.streamerId
      ? await this.users.findById(dto.streamerId)
      : await this.users.findByEmail(dto.email!);
    if (!user) throw new UnprocessableError(`No user ${who}`, 'unknown_user');
    if (!user.roles.includes('streamer')) {
      throw new UnprocessableError(`User ${who} is not a streamer`, 'not_a_streamer');
    }
    const created = await this.links.link(merchant.id, user.id);
    const linkedAt = (await this.links.linkedAt(merchant.id, user.id)) ?? new Date();
    return {
      link: { streamerId: user.id, name: user.displayName, linkedAt: linkedAt.toISOString() },
      created,
    };
  }

  async unlink(merchant: AuthUser, streamerId: string): Promise<void> {
    if (!(await this.links.unlink(merchant.id, streamerId)))
      throw new NotFoundError('Linked streamer', streamerId);
  }

  async streamers(merchant: AuthUser): Promise<LinkedStreamerDto[]> {
    return (await this.links.streamersOf(merchant.id)).map((l) => ({
      streamerId: l.id,
      name: l.name,
      linkedAt: l.linkedAt.toISOString(),
    }));
  }

  async merchants(streamer: AuthUser): Promise<{ merchantId: string; name: string; linkedAt: string }[]> {
    return (await this.links.merchantsOf(streamer.id)).map((l) => ({
      merchantId: l.id,
      name: l.name,
      linkedAt: l.linkedAt.toISOString(),
    }));
  }

  /**
   * A streamer may create a stream that sells a merchant's products only when
   * that merchant linked them (a merchant streaming its own shop, and admins,
   * need no link).
   */
  async assertMayStreamFor(owner: AuthUser, merchantId: string): Promise<void> {
    if (owner.id === merchantId || owner.roles.includes('admin')) return;
    if (!(await this.links.isLinked(merchantId, owner.id))) {
      throw new ForbiddenError(
        `You are not linked to merchant ${merchantId}: the merchant must add you under /merchant first`,
      );
    }
  }
}
