import { Inject, Injectable, Logger } from '@nestjs/common';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub } from '../infra/pubsub';
import { roomChannel, STREAM_LIFECYCLE_CHANNEL, type StreamLifecycleEvent } from './channels';
import { ROOM_EVENTS, type RoomEvent } from './protocol';

/**
 * How features speak to live rooms: a RoomEvent on `roomChannel(streamId)`,
 * which the live gateway of every replica relays to that room's sockets.
 */
@Injectable()
export class RoomPublisher {
  private readonly logger = new Logger('RoomPublisher');

  constructor(@Inject(PUBSUB) private readonly pubsub: PubSub) {}

  /**
   * Best-effort: a room event announces something already committed (a
   * stored chat line, a pin, an order), so a failed publish is logged and
   * the caller's work stands.
   */
  async publish(streamId: string, event: RoomEvent): Promise<void> {
    try {
      await this.pubsub.publish(roomChannel(streamId), event);
    } catch (e) {
      this.logger.warn(
        `publish ${event.event} to room ${streamId} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
  }

  /**
   * A stream's status changed: every replica hears it on the lifecycle
   * channel, and the stream's room gets `stream:status`. The lifecycle
   * publish throws on failure: the SFU, HLS, pins and webhooks act on it.
   */
  async streamStatus(ev: StreamLifecycleEvent): Promise<void> {
    await Promise.all([
      this.pubsub.publish(STREAM_LIFECYCLE_CHANNEL, ev),
      this.publish(ev.streamId, { event: ROOM_EVENTS.streamStatus, data: { status: ev.status } }),
    ]);
  }

  /**
   * A live stream's publisher is gone and may come back until `until`: its
   * room hears `stream:status` `reconnecting` (the stream's lifecycle has not
   * changed: it is still live for pins, orders and HLS).
   */
  async reconnecting(streamId: string, until: Date): Promise<void> {
    await this.publish(streamId, {
      event: ROOM_EVENTS.streamStatus,
      data: { status: 'reconnecting', reconnectUntil: until.toISOString() },
    });
  }
}
