import { Injectable } from '@nestjs/common';
import type { AuthUser } from '../common/auth/roles';
import {
  ConflictError,
  ForbiddenError,
  MissingError,
  NotFoundError,
  UnprocessableError,
} from '../common/errors/domain-errors';
import type {
  InvitationDto,
  LinkedMerchantDto,
  LinkedStreamerDto,
  StreamerInvitationDto,
} from './dto/merchant.dto';
import { InvitationsRepository, type InvitationRow } from './invitations.repository';
import { MerchantLinksRepository } from './merchant-links.repository';

const invitationDto = (i: InvitationRow): InvitationDto => ({
  id: i.id,
  email: i.email,
  status: i.status,
  streamer: i.streamerId ? { id: i.streamerId, name: i.streamerName ?? '' } : null,
  createdAt: i.createdAt.toISOString(),
  respondedAt: i.respondedAt?.toISOString() ?? null,
});

/**
 * Which streamers may run streams that sell a shop's products. A shop
 * invites an email; the streamer with that email accepts (they are linked)
 * or declines. Nothing links a streamer without their consent.
 */
@Injectable()
export class MerchantLinksService {
  constructor(
    private readonly links: MerchantLinksRepository,
    private readonly invitations: InvitationsRepository,
  ) {}

  /**
   * Invites an email. Enumeration-resistant: the answer is the same whether or
   * not the email has an account, or a streamer account; only the shop's own
   * open invitation to it (`created: false`) changes the status code.
   */
  async invite(merchant: AuthUser, email: string): Promise<{ invitation: InvitationDto; created: boolean }> {
    if (email === merchant.email.toLowerCase()) {
      throw new UnprocessableError(
        'This is your own email: you can stream for your shop without an invitation.',
        'own_email',
      );
    }
    const { invitation, created } = await this.invitations.invite(merchant.id, email);
    return { invitation: invitationDto(invitation), created };
  }

  async invitationsOf(merchant: AuthUser): Promise<InvitationDto[]> {
    return (await this.invitations.ofMerchant(merchant.id, 200)).map(invitationDto);
  }

  async revoke(merchant: AuthUser, id: string): Promise<void> {
    if (await this.invitations.revoke(merchant.id, id)) return;
    const i = await this.invitations.find(id);
    if (!i || i.merchantId !== merchant.id) throw new NotFoundError('Invitation', id);
    throw new ConflictError(
      `This invitation was already ${i.status}; it can no longer be withdrawn.`,
      'invitation_answered',
      { status: i.status },
    );
  }

  /** Open invitations to the signed-in streamer's email. */
  async pendingFor(streamer: AuthUser): Promise<StreamerInvitationDto[]> {
    return (await this.invitations.pendingFor(streamer.email.toLowerCase())).map((i) => ({
      id: i.id,
      merchant: { id: i.merchantId, name: i.merchantName },
      createdAt: i.createdAt.toISOString(),
    }));
  }

  private notInvited(): never {
    throw new MissingError(
      'This shop has not invited you, or the invitation was withdrawn or already answered.',
      'invitation_not_found',
    );
  }

  async accept(streamer: AuthUser, id: string): Promise<LinkedMerchantDto> {
    const r = await this.invitations.answer(
      id,
      { id: streamer.id, email: streamer.email.toLowerCase() },
      true,
    );
    if (!r) this.notInvited();
    const i = await this.invitations.find(id);
    return { merchantId: r.merchantId, name: i?.merchantName ?? '', linkedAt: r.linkedAt!.toISOString() };
  }

  async decline(streamer: AuthUser, id: string): Promise<{ id: string; status: 'declined' }> {
    const r = await this.invitations.answer(
      id,
      { id: streamer.id, email: streamer.email.toLowerCase() },
      false,
    );
    if (!r) this.notInvited();
    return { id, status: 'declined' };
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

  async merchants(streamer: AuthUser): Promise<LinkedMerchantDto[]> {
    return (await this.links.merchantsOf(streamer.id)).map((l) => ({
      merchantId: l.id,
      name: l.name,
      linkedAt: l.linkedAt.toISOString(),
    }));
  }

  /**
   * A streamer may run a stream that sells a shop's products only once they
   * accepted its invitation (a merchant streaming its own shop, and admins,
   * need none).
   */
  async assertMayStreamFor(owner: AuthUser, merchantId: string): Promise<void> {
    if (owner.id === merchantId || owner.roles.includes('admin')) return;
    if (!(await this.links.isLinked(merchantId, owner.id))) {
      throw new ForbiddenError(
        'This shop has not invited you, or you have not accepted its invitation yet: choose one of your ' +
          'shops, or ask the shop to invite you.',
      );
    }
  }
}
