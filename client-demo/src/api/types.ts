// Response and request shapes of the REST API the pages call (docs/api.md;
// the OpenAPI document at /api/docs is generated from the same DTOs). Where the
// server keeps its answer's type in a framework-free file, it is the one used
// here (as JSON carries it: `Json`); the live room's types come from the
// server's protocol file.
import type { Order as OrderModel, OrderStatus } from '@shared/orders/order.model';
import type {
  Fulfilment as FulfilmentModel,
  OrderView as OrderViewModel,
  PaymentSummary,
  ShippingAddress,
} from '@shared/orders/order-view';
import type { Offer } from '@shared/pins/offer';
import type { PinView, StreamState } from '@shared/room/protocol';

export { ORDER_STATUSES, type OrderItem, type OrderStatus } from '@shared/orders/order.model';
export type { ShippingAddress } from '@shared/orders/order-view';
export type { Offer } from '@shared/pins/offer';
export type {
  GmvBucket,
  GmvReport,
  Granularity,
  ProductLine,
  StreamReport,
  StreamRowReport as StreamReportRow,
} from '@shared/reports/report-views';
export type {
  CreatedWebhookView as CreatedWebhook,
  DeliveryView as WebhookDelivery,
  WebhookView as Webhook,
} from '@shared/webhooks/webhook-views';

/** A server type as its JSON answer carries it: dates are ISO strings. */
export type Json<T> = T extends Date
  ? string
  : T extends readonly (infer U)[]
    ? Json<U>[]
    : T extends object
      ? { [K in keyof T]: Json<T[K]> }
      : T;

export type Role = 'viewer' | 'streamer' | 'merchant' | 'admin';

export interface User {
  id: string;
  email?: string;
  name: string;
  roles: Role[];
}

export interface AuthSession {
  accessToken: string;
  expiresIn: number;
  user: User;
}

export interface Page<T> {
  items: T[];
}

export interface Stream {
  id: string;
  title: string;
  status: StreamState;
  /** While reconnecting: when the stream ends unless its publisher is back. */
  reconnectUntil?: string | null;
  ownerId: string;
  merchantId: string | null;
  /** The shop it sells for. */
  shop?: { id: string; name: string } | null;
  /** Ended with its recording kept: hlsUrl plays the replay. */
  replayAvailable?: boolean;
  posterUrl?: string | null;
  whipUrl: string;
  whepUrl: string;
  hlsUrl: string;
  startedAt: string | null;
  endedAt: string | null;
  createdAt: string;
}

/** An RTMP/SRT encoder of a stream as its owner sees it (docs/ingest.md). */
export interface IngestStatus {
  state: 'connecting' | 'live' | 'reconnecting' | 'disconnected';
  protocol: 'rtmp' | 'rtmps' | 'srt';
  bFrames: boolean;
  webrtcVideo: 'passthrough' | 'reencoded';
  bitrateKbps: number;
  fps: number;
  droppedFrames: number;
  warnings: { code: string; message: string; fix: string }[];
  lastError: { code: string; message: string; at: string } | null;
}

/** A stream as its owner reads it: where encoders publish (null: that protocol is off) and how one is doing. */
export interface StreamOwner extends Stream {
  rtmpUrl: string | null;
  rtmpsUrl: string | null;
  srtUrl: string | null;
  ingest: IngestStatus | null;
}

export interface StreamWithKey extends StreamOwner {
  streamKey: string;
}

export interface Product {
  id: string;
  merchantId: string;
  title: string;
  description: string;
  imageUrl: string | null;
  priceCents: number;
  currency: string;
  stock: number;
  sku: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ProductInput {
  title: string;
  description?: string;
  imageUrl?: string;
  priceCents: number;
  currency: string;
  stock: number;
  sku?: string;
  /** Delivered without shipping: its orders ask for no address. */
  digital?: boolean;
}

export interface LinkedStreamer {
  streamerId: string;
  name: string;
  linkedAt: string;
}

export interface LinkedMerchant {
  merchantId: string;
  name: string;
  linkedAt: string;
}

export type Order = Json<OrderModel>;

export interface Checkout {
  provider: string;
  sessionId: string;
  checkoutUrl: string;
  expiresAt: string;
}

/** A pin as the REST API returns it: the room's view plus its history fields. */
export interface Pin extends PinView {
  unpinnedAt: string | null;
}

export interface PinInput {
  productId: string;
  salePriceCents?: number;
  saleStock?: number;
  endsAt?: string;
  perBuyerLimit?: number;
}

export type ModerationAction =
  | { action: 'delete'; messageId: string }
  | { action: 'mute'; userId: string; minutes: number }
  | { action: 'unmute' | 'ban' | 'unban'; userId: string }
  | { action: 'slow-mode'; seconds: number }
  | { action: 'words'; words: string[] };

export interface ModerationSettings {
  slowModeSeconds: number;
  words: string[];
}

export interface SimulatedSession {
  sessionId: string;
  orderId: string;
  amountCents: number;
  currency: string;
  paymentStatus: 'open' | 'succeeded' | 'failed' | 'refunded' | 'refund_due';
  orderStatus: OrderStatus;
  expiresAt: string;
  items: { title: string; quantity: number }[];
}

export interface SimulatedPayResult {
  webhookStatus: number;
  orderStatus: OrderStatus;
  paymentStatus: SimulatedSession['paymentStatus'];
}

export interface MerchantSettings {
  timeZone: string;
}

// ---- the shop's side of a sale: order views, invitations, webhooks, product pages ----

export type Fulfilment = Json<FulfilmentModel>;

/** An order as its buyer and its shop read it (every order route but placing one). */
export type OrderView = Json<OrderViewModel>;

export type OrderPayment = Json<PaymentSummary>;

export interface OrderRefund {
  id: string;
  amountCents: number;
  full: boolean;
  createdAt: string;
}

export interface TimelineEntry {
  at: string;
  event: string;
  /** A sentence written by the server for people. */
  text: string;
}

/** `GET /api/orders/:id` and the answers of the order's moves. */
export interface OrderDetail extends OrderView {
  payments: OrderPayment[];
  refunds: OrderRefund[];
  timeline: TimelineEntry[];
}

export interface FulfilInput {
  carrier?: string;
  trackingNumber?: string;
  trackingUrl?: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'declined' | 'revoked';

export interface Invitation {
  id: string;
  email: string;
  status: InvitationStatus;
  streamer: { id: string; name: string } | null;
  createdAt: string;
  respondedAt: string | null;
}

export interface ProductImage {
  id: string;
  url: string;
  thumbnailUrl: string;
  width: number;
  height: number;
}

/** A product as `GET /api/products/:id` answers it (the product page). */
export interface ProductDetail extends Product {
  images: ProductImage[];
  currencyDecimals: number;
  digital: boolean;
}

/** A stream that showed (pinned) a product. */
export interface ShownIn {
  streamId: string;
  title: string;
  status: string;
  startedAt: string | null;
  endedAt: string | null;
  pins: number;
  firstPinnedAt: string;
  lastPinnedAt: string;
}

/** An open invitation from a shop to the signed-in streamer. */
export interface StreamerInvitation {
  id: string;
  merchant: { id: string; name: string };
  createdAt: string;
}

export interface CurrentPin {
  pin: PinView | null;
  offer: Offer | null;
}

/** A shipping address as a person enters it. */
export interface AddressInput {
  name: string;
  line1: string;
  line2?: string | null;
  city: string;
  region?: string | null;
  postalCode?: string | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
  phone?: string | null;
}

export interface Address extends ShippingAddress {
  id: string;
  isDefault: boolean;
  createdAt: string;
  updatedAt: string;
}

/** Where an unpaid order ships: a saved address, or one entered now (saved to the profile with `save`). */
export type ShippingInput = { addressId: string } | { address: AddressInput; save?: boolean };
