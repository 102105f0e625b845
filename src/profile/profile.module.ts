import { Module } from '@nestjs/common';
import { AddressesRepository } from './addresses.repository';
import { ProfileController } from './profile.controller';
import { ProfileService } from './profile.service';

/** Buyer profiles and saved shipping addresses; orders read an address when it is chosen at checkout. */
@Module({
  controllers: [ProfileController],
  providers: [AddressesRepository, ProfileService],
  exports: [ProfileService],
})
export class ProfileModule {}
