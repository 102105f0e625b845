import { Global, Module } from '@nestjs/common';
import { MerchantController, StreamerLinksController } from './merchant.controller';
import { MerchantLinksRepository } from './merchant-links.repository';
import { MerchantLinksService } from './merchant-links.service';
import { InvitationsRepository } from './invitations.repository';

/** Global: StreamsService asks it whether a streamer may stream for a merchant. */
@Global()
@Module({
  controllers: [MerchantController, StreamerLinksController],
  providers: [MerchantLinksRepository, InvitationsRepository, MerchantLinksService],
  exports: [MerchantLinksService],
})
export class MerchantModule {}
