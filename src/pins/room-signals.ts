import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { CommerceSignals } from '../room/commerce-signals';
import { ROOM_EVENTS } from '../room/protocol';
import { RoomPublisher } from '../room/room-publisher';
import { pinRemaining } from './pin-view';
import { PinsRepository } from './pins.repository';
import { Throttle } from './throttle';

/** At most one `stock` read-and-publish per window per process. */
const STOCK_WINDOW_MS = 200;
/** At most one "someone just bought" note per room per window per process; extra ones are dropped. */
const PLACED_WINDOW_MS = 250;

/**
 * Tells live rooms about commerce (CommerceSignals, called by orders and
 * catalog): stock and purchases, as RoomEvents. Stock is coalesced: writers
 * only mark products as changed, and this reads the current numbers of the
 * pins that show them at most once per STOCK_WINDOW_MS, so every event
 * carries the committed truth and a flash sale does not become one event per
 * unit. It lives with pins because which room shows a product, and how many
 * units it shows, is the pins' data.
 */
@Injectable()
export class PinsRoomSignals extends CommerceSignals implements OnModuleDestroy {
  private readonly logger = new Logger('RoomSignals');
  private readonly lastStock = new Map<string, string>();
  private readonly stock = new Throttle<Set<string>>(
    STOCK_WINDOW_MS,
    (_k, ids) => void this.flushStock(ids),
    (a, b) => {
      for (const id of b) a.add(id);
      return a;
    },
  );
  private readonly placed = new Throttle<{ buyer: string; productTitle: string }>(
    PLACED_WINDOW_MS,
    (streamId, p) => void this.rooms.publish(streamId, { event: ROOM_EVENTS.orderPlaced, data: p }),
  );

  constructor(
    private readonly rooms: RoomPublisher,
    private readonly pins: PinsRepository,
  ) {
    super();
  }

  stockChanged(productIds: Iterable<string>): void {
    const set = new Set(productIds);
    if (set.size > 0) this.stock.push('all', set);
  }

  purchased(streamId: string, buyer: string, productTitle: string): void {
    this.placed.push(streamId, { buyer, productTitle });
  }

  /** Forget what was last sent for a stream (its pin changed). */
  pinChanged(streamId: string): void {
    this.lastStock.delete(streamId);
  }

  private async flushStock(productIds: Set<string>): Promise<void> {
    try {
      const now = Date.now();
      for (const pin of await this.pins.currentForProducts([...productIds])) {
        const remaining = pinRemaining(pin, now);
        const sig = `${pin.productId}:${remaining}`;
        if (this.lastStock.get(pin.streamId) === sig) continue;
        this.lastStock.set(pin.streamId, sig);
        await this.rooms.publish(pin.streamId, {
          event: ROOM_EVENTS.stock,
          data: { productId: pin.productId, remaining },
        });
      }
    } catch (e) {
      this.logger.warn(`stock update failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  onModuleDestroy(): void {
    this.stock.clear();
    this.placed.clear();
  }
}
