import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { AuthUser } from '../common/auth/roles';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnprocessableError,
  ValidationError,
} from '../common/errors/domain-errors';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub, Unsubscribe } from '../infra/pubsub';
import { STREAM_LIFECYCLE_CHANNEL, type StreamLifecycleEvent } from '../room/channels';
import type { PinReader } from '../room/pin-reader';
import { ROOM_EVENTS, type PinView } from '../room/protocol';
import { RoomPublisher } from '../room/room-publisher';
import { toMajorUnits } from '../common/money/currencies';
import type { CreatePinDto, PinDto } from './dto/pin.dto';
import type { Offer } from './offer';
import { toOffer, toPinView } from './pin-view';
import { MAX_QUANTITY } from '../orders/dto/create-order.schema';
import { PinsRepository, type PinWithProduct, type StreamForPin } from './pins.repository';
import { PinsRoomSignals } from './room-signals';

/** An amount for a sentence: "25.00 USD". */
const money = (minor: number, currency: string) => `${toMajorUnits(minor, currency)} ${currency}`;

/** How long `current()` answers from memory (many viewers join at once; events carry changes). */
const CURRENT_TTL_MS = 500;
/** Latest accepted sale end. */
const MAX_SALE_MS = 30 * 24 * 3600 * 1000;

/**
 * Product pins: one pinned product per stream at a time, stored with their
 * start and end (the stream's chapters), optionally a flash sale. Also the
 * PIN_READER the live room reads the current pin from.
 */
@Injectable()
export class PinsService implements PinReader, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Pins');
  private readonly cache = new Map<string, { at: number; value: Promise<PinView | null> }>();
  private unsubscribe?: Unsubscribe;

  constructor(
    private readonly pins: PinsRepository,
    private readonly rooms: RoomPublisher,
    private readonly signals: PinsRoomSignals,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
  ) {}

  /** A stream that ends closes its last chapter: its current pin is unpinned then. */
  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = await this.pubsub.subscribe(STREAM_LIFECYCLE_CHANNEL, (msg) => {
      const ev = msg as StreamLifecycleEvent;
      if (ev?.status === 'ended' && typeof ev.streamId === 'string') void this.closeChapter(ev.streamId);
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.unsubscribe?.();
  }

  private async closeChapter(streamId: string): Promise<void> {
    try {
      // Every replica hears the event; the conditional UPDATE lets one of them act.
      const pinId = await this.pins.tx((q) => this.pins.unpinCurrent(q, streamId));
      this.cache.delete(streamId);
      if (pinId) await this.rooms.publish(streamId, { event: ROOM_EVENTS.productUnpinned, data: { pinId } });
    } catch (e) {
      this.logger.warn(`closing the pin of ended stream ${streamId} failed: ${(e as Error).message}`);
    }
  }

  /** Stream owner, the stream's merchant, or an admin. */
  private assertStaff(user: AuthUser, s: StreamForPin): void {
    if (user.roles.includes('admin')) return;
    if (s.ownerId === user.id || (s.merchantId !== null && s.merchantId === user.id)) return;
    throw new ForbiddenError("Only the stream's streamer or its shop can pin products.");
  }

  async pin(user: AuthUser, streamId: string, dto: CreatePinDto): Promise<PinDto> {
    if (dto.salePriceCents === undefined && (dto.saleStock !== undefined || dto.endsAt !== undefined)) {
      throw new ValidationError(
        'Enter a sale price: the units on sale and the end of the sale describe a flash sale.',
        { fields: [{ field: 'salePriceCents', problems: ['Enter a sale price.'] }] },
      );
    }
    const endsAt = dto.endsAt === undefined ? null : new Date(dto.endsAt);
    if (endsAt && endsAt.getTime() <= Date.now()) {
      throw new ValidationError('The end of the sale must be in the future.', {
        fields: [{ field: 'endsAt', problems: ['The end of the sale must be in the future.'] }],
      });
    }
    if (endsAt && endsAt.getTime() > Date.now() + MAX_SALE_MS) {
      throw new ValidationError('A sale can last at most 30 days.', {
        fields: [{ field: 'endsAt', problems: ['A sale can last at most 30 days.'] }],
      });
    }

    const { previous, pinId } = await this.pins.tx(async (q) => {
      const stream = await this.pins.lockStream(q, streamId);
      if (!stream) throw new NotFoundError('Stream', streamId);
      this.assertStaff(user, stream);
      if (stream.status === 'ended') {
        throw new ConflictError('This stream has ended: products can no longer be pinned.', 'stream_ended');
      }
      if (stream.merchantId === null) {
        throw new ConflictError(
          `Stream ${streamId} has no shop: create the stream for a merchant to pin products`,
          'stream_has_no_shop',
        );
      }
      const product = await this.pins.product(q, dto.productId);
      if (!product) {
        throw new UnprocessableError(`Product ${dto.productId} does not exist`, 'unknown_product', {
          productId: dto.productId,
        });
      }
      if (product.merchantId !== stream.merchantId) {
        throw new UnprocessableError(
          `"${product.title}" is not a product of this stream's shop.`,
          'product_not_in_shop',
          { productId: product.id },
        );
      }
      if (dto.salePriceCents !== undefined && dto.salePriceCents > product.priceCents) {
        throw new UnprocessableError(
          `The sale price (${money(dto.salePriceCents, product.currency)}) must not be above the price of ` +
            `"${product.title}" (${money(product.priceCents, product.currency)}).`,
          'sale_price_too_high',
          { productId: product.id },
        );
      }
      if (dto.saleStock !== undefined && dto.saleStock > product.stock) {
        throw new UnprocessableError(
          `There are only ${product.stock} units of "${product.title}" in stock: put at most that many on sale.`,
          'sale_stock_too_high',
          { productId: product.id },
        );
      }
      const prev = await this.pins.unpinCurrent(q, streamId);
      const onSale = dto.salePriceCents !== undefined;
      const id = await this.pins.insert(q, {
        streamId,
        productId: product.id,
        pinnedBy: user.id,
        salePriceCents: dto.salePriceCents ?? null,
        saleStock: dto.saleStock ?? null,
        endsAt,
        perBuyerLimit: dto.perBuyerLimit ?? (onSale ? 1 : null),
      });
      return { previous: prev, pinId: id };
    });

    const pin = (await this.pins.findWithProduct(pinId))!;
    this.cache.delete(streamId);
    this.signals.pinChanged(streamId);
    if (previous)
      await this.rooms.publish(streamId, { event: ROOM_EVENTS.productUnpinned, data: { pinId: previous } });
    await this.rooms.publish(streamId, { event: ROOM_EVENTS.productPinned, data: { pin: toPinView(pin) } });
    return this.toDto(pin);
  }

  async unpin(user: AuthUser, streamId: string, pinId: string): Promise<PinDto> {
    const changed = await this.pins.tx(async (q) => {
      const stream = await this.pins.lockStream(q, streamId);
      if (!stream) throw new NotFoundError('Stream', streamId);
      this.assertStaff(user, stream);
      return this.pins.unpin(q, streamId, pinId);
    });
    const pin = await this.pins.findWithProduct(pinId);
    if (!pin || pin.streamId !== streamId) throw new NotFoundError('Pin', pinId);
    if (changed) {
      this.cache.delete(streamId);
      this.signals.pinChanged(streamId);
      await this.rooms.publish(streamId, { event: ROOM_EVENTS.productUnpinned, data: { pinId } });
    }
    return this.toDto(pin);
  }

  async history(streamId: string): Promise<PinDto[]> {
    if (!(await this.pins.streamExists(streamId))) throw new NotFoundError('Stream', streamId);
    return (await this.pins.history(streamId)).map((p) => this.toDto(p));
  }

  /**
   * What the checkout shows when it opens and whenever the pin, the stock or
   * the sale changes: the pin as viewers see it and the offer for this buyer
   * (an anonymous one has bought nothing yet), read from the database now,
   * never from the room's cache.
   */
  async offer(streamId: string, user?: AuthUser): Promise<{ pin: PinView | null; offer: Offer | null }> {
    if (!(await this.pins.streamExists(streamId))) throw new NotFoundError('Stream', streamId);
    const p = await this.pins.current(streamId);
    if (!p || p.streamStatus === 'ended') return { pin: null, offer: null };
    const bought = user ? await this.pins.buyerUnits(p.id, user.id) : 0;
    const now = Date.now();
    return { pin: toPinView(p, now), offer: toOffer(p, bought, MAX_QUANTITY, now) };
  }

  /** PinReader: the pin viewers see now, or null (none, or the stream has ended). */
  current(streamId: string): Promise<PinView | null> {
    const now = Date.now();
    const hit = this.cache.get(streamId);
    if (hit && now - hit.at < CURRENT_TTL_MS) return hit.value;
    const value = this.pins
      .current(streamId)
      .then((p) => (p && p.streamStatus !== 'ended' ? toPinView(p) : null));
    this.cache.set(streamId, { at: now, value });
    if (this.cache.size > 10_000) this.cache.clear();
    value.catch(() => this.cache.delete(streamId));
    return value;
  }

  private toDto(p: PinWithProduct): PinDto {
    const start = p.streamStartedAt?.getTime() ?? null;
    const offset = (d: Date | null) =>
      start === null || d === null ? null : Math.max(0, d.getTime() - start);
    return {
      ...toPinView(p),
      unpinnedAt: p.unpinnedAt?.toISOString() ?? null,
      configuredSalePriceCents: p.salePriceCents,
      startOffsetMs: offset(p.pinnedAt),
      endOffsetMs: offset(p.unpinnedAt),
    };
  }
}
