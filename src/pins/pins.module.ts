import { Global, Module } from '@nestjs/common';
import { CommerceSignals } from '../room/commerce-signals';
import { PIN_READER } from '../room/pin-reader';
import { PinsController } from './pins.controller';
import { PinsRepository } from './pins.repository';
import { PinsService } from './pins.service';
import { PinsRoomSignals } from './room-signals';

/**
 * Global: it implements two kernel interfaces other features inject by
 * their kernel tokens, without importing pins: PIN_READER (the live room's
 * current pin) and CommerceSignals (orders and catalog tell rooms about
 * stock and purchases).
 */
@Global()
@Module({
  controllers: [PinsController],
  providers: [
    PinsRepository,
    PinsService,
    PinsRoomSignals,
    { provide: PIN_READER, useExisting: PinsService },
    { provide: CommerceSignals, useExisting: PinsRoomSignals },
  ],
  exports: [PIN_READER, CommerceSignals],
})
export class PinsModule {}
