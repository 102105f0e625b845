import { Global, Module } from '@nestjs/common';
import { RoomPublisher } from './room-publisher';

/**
 * The live-room kernel: the wire protocol (protocol.ts), its PubSub channels
 * (channels.ts), the publisher every feature speaks to rooms through, and the
 * interfaces features implement for one another (PinReader, CommerceSignals).
 * Global, below the features: none of them imports another to reach a room.
 */
@Global()
@Module({
  providers: [RoomPublisher],
  exports: [RoomPublisher],
})
export class RoomModule {}
