// Framework-free: the pages read orders through `@shared/orders/order.model` (client-demo/src/api/types.ts).
/**
 * Order states and the moves between them:
 *
 *   pending_payment → paid → fulfilled
 *   pending_payment → expired | cancelled
 *   paid → refunded
 *
 * Money can also be given back in part on a paid or fulfilled order without a
 * move (refundedCents grows; OrdersRepository.refund): only the refund that
 * completes a paid order moves it to refunded.
 *
 * Every move is one conditional UPDATE (`WHERE status = <from>`), so of two
 * racing moves exactly one wins; the loser gets 409. Moves into a closed
 * state that held units (expired, cancelled, refunded) return those units in
 * the same transaction, hence exactly once.
 */
export const ORDER_STATUSES = [
  'pending_payment',
  'paid',
  'fulfilled',
  'expired',
  'cancelled',
  'refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** Statuses whose units are still taken from stock (and count toward per-buyer limits). */
export const HOLDING_STATUSES: readonly OrderStatus[] = ['pending_payment', 'paid', 'fulfilled'];

export type OrderMove = 'pay' | 'fulfil' | 'expire' | 'cancel' | 'refund';

export const MOVES: Record<OrderMove, { from: OrderStatus; to: OrderStatus; releases: boolean }> = {
  pay: { from: 'pending_payment', to: 'paid', releases: false },
  fulfil: { from: 'paid', to: 'fulfilled', releases: false },
  expire: { from: 'pending_payment', to: 'expired', releases: true },
  cancel: { from: 'pending_payment', to: 'cancelled', releases: true },
  refund: { from: 'paid', to: 'refunded', releases: true },
};

/** Why a move is refused from a given status, in words for the 409 message. */
export function illegalMoveMessage(orderId: string, move: OrderMove, status: OrderStatus): string {
  const verb: Record<OrderMove, string> = {
    pay: 'pay for',
    fulfil: 'fulfil',
    expire: 'expire',
    cancel: 'cancel',
    refund: 'refund',
  };
  const hint =
    move === 'cancel' && (status === 'paid' || status === 'fulfilled')
      ? '; ask the shop for a refund'
      : move === 'refund' && status === 'pending_payment'
        ? '; an unpaid order can be cancelled instead'
        : '';
  return `Cannot ${verb[move]} order ${orderId}: it is ${status.replace('_', ' ')}${hint}`;
}

export interface OrderItem {
  productId: string;
  title: string;
  quantity: number;
  unitPriceCents: number;
  /** Units sold at the flash-sale price, from the pin's sale stock. */
  sale: boolean;
}

export interface Order {
  id: string;
  buyerId: string;
  merchantId: string;
  status: OrderStatus;
  currency: string;
  totalCents: number;
  streamId: string | null;
  pinId: string | null;
  /** Milliseconds since the stream started when the order was placed (attributed GMV). */
  streamOffsetMs: number | null;
  items: OrderItem[];
  createdAt: Date;
  expiresAt: Date;
  paidAt: Date | null;
  fulfilledAt: Date | null;
  closedAt: Date | null;
}
