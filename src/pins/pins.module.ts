import { Global, Module } from '@nestjs/common';
import { PIN_READER } from '../live/live-events';
import { PinsController } from './pins.controller';
import { PinsRepository } from './pins.repository';
import { PinsService } from './pins.service';
import { RoomNotifier } from './room-notifier';

/** Global: the live room injects PIN_READER, orders use RoomNotifier. */
@Global()
@Module({
  controllers: [PinsController],
  providers: [PinsRepository, PinsService, RoomNotifier, { provide: PIN_READER, useExisting: PinsService }],
  exports: [PIN_READER, PinsService, RoomNotifier],
})
export class PinsModule {}
