import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub } from '../infra/pubsub';
import { roomChannel, type RoomEvent } from '../live/live-events';
import { pinRemaining } from './pin-view';
import { PinsRepository } from './pins.repository';
import { Throttle } from './throttle';

/** At most one `stock` read-and-publish per window per process. */
const STOCK_WINDOW_MS = 200;
/** At most one "someone just bought" note per room per window per process; extra ones are dropped. */
const PLACED_WINDOW_MS = 250;

/**
 * Tells live rooms about commerce: pins, stock and purchases, as RoomEvents
 * on `roomChannel(streamId)` (the live gateway relays them to sockets on
 * every replica). Stock is coalesced: writers only mark products as changed,
 * and the notifier reads the current numbers from the database at most every
 * 200 ms, so every event carries the committed truth and a flash sale does
 * not become one event per unit.
 */
@Injectable()
export class RoomNotifier implements OnModuleDestroy {
  private readonly logger = new Logger('RoomNotifier');
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
    (streamId, p) => void this.publish(streamId, { event: 'order:placed', data: p }),
  );

  constructor(
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    private readonly pins: PinsRepository,
  ) {}

  async publish(streamId: string, event: RoomEvent): Promise<void> {
    try {
      await this.pubsub.publish(roomChannel(streamId), event);
    } catch (e) {
      // Room events are best-effort notifications; the order itself is committed.
      this.logger.warn(`publish to room ${streamId} failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Units of these products changed (reserved or returned). */
  stockChanged(productIds: Iterable<string>): void {
    const set = new Set(productIds);
    if (set.size > 0) this.stock.push('all', set);
  }

  /** A purchase in a stream: the room sees the buyer's first name only. */
  orderPlaced(streamId: string, buyer: string, productTitle: string): void {
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
        await this.publish(pin.streamId, { event: 'stock', data: { productId: pin.productId, remaining } });
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
