import { randomUUID } from 'node:crypto';
import { PUBSUB } from '../../src/infra/infra.module';
import type { PubSub } from '../../src/infra/pubsub';
import { roomChannel } from '../../src/room/channels';
import type { PinView, RoomEvent } from '../../src/room/protocol';
import type { TestApp } from './test-app';

/** Publishes an event on a stream's room channel, as the features do. */
export function publishToRoom(t: TestApp, streamId: string, event: RoomEvent): Promise<void> {
  return t.app.get<PubSub>(PUBSUB).publish(roomChannel(streamId), event);
}

/** Collects the room events published for a stream. */
export async function listenToRoom(
  t: TestApp,
  streamId: string,
): Promise<{ events: RoomEvent[]; stop: () => Promise<void> }> {
  const events: RoomEvent[] = [];
  const stop = await t.app
    .get<PubSub>(PUBSUB)
    .subscribe(roomChannel(streamId), (m) => events.push(m as RoomEvent));
  return { events, stop };
}

/** A pin as the room shows it, of a made-up product: no sale, no limit, pinned now. */
export function pinView(
  streamId: string,
  p: Pick<PinView, 'title' | 'currency' | 'priceCents' | 'remaining'> & Partial<PinView>,
): PinView {
  return {
    pinId: randomUUID(),
    streamId,
    productId: randomUUID(),
    imageUrl: null,
    salePriceCents: null,
    saleStock: null,
    perBuyerLimit: null,
    endsAt: null,
    pinnedAt: new Date().toISOString(),
    ...p,
  };
}
