// Framework-free: the pages read orders through `@shared/orders/order-view` (client-demo/src/api/types.ts).
import type { AddressFields } from '../profile/address-fields';
import type { Order, OrderItem } from './order.model';

/** The address an order ships to: a copy made when the buyer chose it, kept as it was. */
export type ShippingAddress = AddressFields;

export interface Fulfilment {
  carrier: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  fulfilledAt: Date;
}

/**
 * An order as people read it (the buyer, its shop, admins): the order, who
 * bought it, where it ships, and how it was shipped. Read after the fact;
 * the reservation's answer (Order) has none of this and needs no read.
 */
export interface OrderView extends Order {
  items: (OrderItem & { digital: boolean })[];
  buyer: { id: string; name: string; email: string };
  /** Some item is not digital: the order needs a shipping address before it is paid. */
  needsShipping: boolean;
  shipping: ShippingAddress | null;
  fulfilment: Fulfilment | null;
  /** Money given back so far (partial refunds, or all of it). */
  refundedCents: number;
  /** The product the stream had pinned when the order was placed, if any. */
  pinnedProductId: string | null;
}

export interface PaymentSummary {
  provider: string;
  status: string;
  amountCents: number;
  currency: string;
  createdAt: Date;
  updatedAt: Date;
}
