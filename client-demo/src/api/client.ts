// The REST API as typed functions, one per route the pages use (docs/api.md).
// New features add their routes here: see docs/front-end.md.
import { download, query, request, upload } from './http';
import type {
  AuthSession,
  Address,
  AddressInput,
  Checkout,
  CurrentPin,
  CreatedWebhook,
  FulfilInput,
  Invitation,
  GmvReport,
  Granularity,
  LinkedMerchant,
  LinkedStreamer,
  MerchantSettings,
  ModerationAction,
  ModerationSettings,
  Order,
  OrderDetail,
  OrderStatus,
  OrderView,
  Page,
  Pin,
  PinInput,
  Product,
  ProductDetail,
  ProductInput,
  Role,
  ShippingInput,
  SimulatedPayResult,
  ShownIn,
  SimulatedSession,
  Stream,
  StreamReport,
  StreamReportRow,
  StreamOwner,
  StreamWithKey,
  StreamerInvitation,
  Webhook,
  WebhookDelivery,
} from './types';

const id = encodeURIComponent;

export const auth = {
  login: (body: { email: string; password: string }) =>
    request<AuthSession>('/api/auth/login', { method: 'POST', body }),
  register: (body: { email: string; password: string; name: string; role: Role }) =>
    request<AuthSession>('/api/auth/register', { method: 'POST', body }),
};

export const streams = {
  live: () => request<Page<Stream>>(`/api/streams${query({ status: 'live', limit: 60 })}`),
  mine: () => request<Page<Stream>>(`/api/streams${query({ mine: 1, limit: 20 })}`),
  get: (streamId: string) => request<Stream>(`/api/streams/${id(streamId)}`),
  /** The same route read by the stream's owner: its encoder URLs and status. */
  owned: (streamId: string) => request<StreamOwner>(`/api/streams/${id(streamId)}`),
  create: (body: { title: string; merchantId?: string }) =>
    request<StreamWithKey>('/api/streams', { method: 'POST', body }),
  end: (streamId: string) => request<Stream>(`/api/streams/${id(streamId)}/end`, { method: 'POST' }),
  rotateKey: (streamId: string) =>
    request<{ streamKey: string }>(`/api/streams/${id(streamId)}/key`, { method: 'POST' }),
};

export const pins = {
  history: (streamId: string) => request<Page<Pin>>(`/api/streams/${id(streamId)}/pins`),
  /** The stream's open pin as the server sees it now (sale state, price, limit), or null. */
  current: async (streamId: string): Promise<Pin | null> =>
    (await pins.history(streamId)).items.filter((p) => !p.unpinnedAt).at(-1) ?? null,
  pin: (streamId: string, body: PinInput) =>
    request<Pin>(`/api/streams/${id(streamId)}/pins`, { method: 'POST', body }),
  unpin: (streamId: string, pinId: string) =>
    request<Pin>(`/api/streams/${id(streamId)}/pins/${id(pinId)}`, { method: 'DELETE' }),
};

export const moderation = {
  get: (streamId: string) => request<ModerationSettings>(`/api/streams/${id(streamId)}/moderation`),
  act: (streamId: string, body: ModerationAction) =>
    request<ModerationSettings>(`/api/streams/${id(streamId)}/moderation`, { method: 'POST', body }),
};

export const products = {
  get: (productId: string) => request<Product>(`/api/products/${id(productId)}`),
  ofShop: (merchantId: string) => request<Page<Product>>(`/api/products${query({ merchantId, limit: 200 })}`),
  create: (body: ProductInput) => request<Product>('/api/products', { method: 'POST', body }),
  update: (productId: string, body: Partial<ProductInput>) =>
    request<Product>(`/api/products/${id(productId)}`, { method: 'PATCH', body }),
};

export const orders = {
  mine: () => request<Page<Order>>(`/api/orders${query({ mine: 1, limit: 100 })}`),
  get: (orderId: string) => request<Order>(`/api/orders/${id(orderId)}`),
  place: (
    body: { streamId?: string; items: { productId: string; quantity: number }[] },
    idempotencyKey: string,
  ) =>
    request<Order>('/api/orders', { method: 'POST', body, headers: { 'Idempotency-Key': idempotencyKey } }),
  pay: (orderId: string) => request<Checkout>(`/api/orders/${id(orderId)}/pay`, { method: 'POST' }),
  cancel: (orderId: string) => request<Order>(`/api/orders/${id(orderId)}/cancel`, { method: 'POST' }),
  fulfil: (orderId: string) => request<Order>(`/api/orders/${id(orderId)}/fulfil`, { method: 'POST' }),
  refund: (orderId: string) => request<Order>(`/api/orders/${id(orderId)}/refund`, { method: 'POST' }),
  ofShop: (filter: { streamId?: string; status?: OrderStatus | '' }) =>
    request<Page<Order>>(`/api/merchant/orders${query({ ...filter, limit: 100 })}`),
};

export const merchant = {
  streamers: () => request<Page<LinkedStreamer>>('/api/merchant/streamers'),
  unlink: (streamerId: string) =>
    request<null>(`/api/merchant/streamers/${id(streamerId)}`, { method: 'DELETE' }),
  settings: () => request<MerchantSettings>('/api/merchant/settings'),
  saveSettings: (body: MerchantSettings) =>
    request<MerchantSettings>('/api/merchant/settings', { method: 'PUT', body }),
};

export const streamer = {
  merchants: () => request<Page<LinkedMerchant>>('/api/streamer/merchants'),
};

export interface GmvQuery {
  granularity: Granularity;
  from?: string;
  to?: string;
  streamId?: string;
  currency?: string;
}

export const reports = {
  gmvPath: (q: GmvQuery) => `/api/reports/gmv${query({ ...q })}`,
  gmv: (q: GmvQuery) => request<GmvReport>(reports.gmvPath(q)),
  streamsPath: (currency?: string) => `/api/reports/streams${query({ currency })}`,
  streams: (currency?: string) => request<Page<StreamReportRow>>(reports.streamsPath(currency)),
  streamPath: (streamId: string, currency?: string) =>
    `/api/reports/streams/${id(streamId)}${query({ currency })}`,
  stream: (streamId: string, currency?: string) =>
    request<StreamReport>(reports.streamPath(streamId, currency)),
};

/** The simulated provider's hosted checkout (its own API, not the shop's). */
export const simulatedProvider = {
  session: (sessionId: string) =>
    request<SimulatedSession>(`/api/payments/simulated/sessions/${id(sessionId)}`),
  pay: (sessionId: string, outcome: 'succeed' | 'fail') =>
    request<SimulatedPayResult>(`/api/payments/simulated/sessions/${id(sessionId)}/pay`, {
      method: 'POST',
      body: { outcome },
    }),
};

// ---- the shop's side of a sale (issue 22): order views and their moves, invitations,
// webhooks, product pages. New groups rather than edits to the ones above.

/** A shop's orders as views (buyer, address, fulfilment, refunds) and the merchant's moves. */
export const shopOrders = {
  list: (filter: { streamId?: string; status?: OrderStatus | '' }) =>
    request<Page<OrderView>>(`/api/merchant/orders${query({ ...filter, limit: 100 })}`),
  /** The order in full: payments, refunds and its timeline. */
  get: (orderId: string) => request<OrderDetail>(`/api/orders/${id(orderId)}`),
  fulfil: (orderId: string, body: FulfilInput) =>
    request<OrderDetail>(`/api/orders/${id(orderId)}/fulfil`, { method: 'POST', body }),
  /** Gives money back: `amountCents` (minor units) or, without it, all that is left. */
  refund: (orderId: string, amountCents?: number) =>
    request<OrderDetail>(`/api/orders/${id(orderId)}/refund`, {
      method: 'POST',
      body: amountCents === undefined ? {} : { amountCents },
    }),
  /** Paid orders still to ship, one line per item, as a CSV file. */
  downloadToFulfil: () => download('/api/merchant/orders/to-fulfil.csv', 'orders-to-fulfil.csv'),
};

/** The buyer's orders as views (tracking, refunds); paying again reuses `orders.pay`. */
export const myOrders = {
  list: () => request<Page<OrderView>>(`/api/orders${query({ mine: 1, limit: 100 })}`),
  get: (orderId: string) => request<OrderDetail>(`/api/orders/${id(orderId)}`),
};

/** A shop invites streamers by email; they accept in their studio. */
export const invitations = {
  list: () => request<Page<Invitation>>('/api/merchant/invitations'),
  invite: (email: string) =>
    request<Invitation>('/api/merchant/invitations', { method: 'POST', body: { email } }),
  revoke: (invitationId: string) =>
    request<null>(`/api/merchant/invitations/${id(invitationId)}`, { method: 'DELETE' }),
};

export const webhooks = {
  list: () => request<Page<Webhook>>('/api/merchant/webhooks'),
  create: (body: { url: string; events: string[] }) =>
    request<CreatedWebhook>('/api/merchant/webhooks', { method: 'POST', body }),
  remove: (webhookId: string) =>
    request<null>(`/api/merchant/webhooks/${id(webhookId)}`, { method: 'DELETE' }),
  /** Sends a signed `webhook.test` now and answers with how it went. */
  test: (webhookId: string) =>
    request<WebhookDelivery>(`/api/merchant/webhooks/${id(webhookId)}/test`, { method: 'POST' }),
  deliveries: (webhookId: string) =>
    request<Page<WebhookDelivery> & { total: number }>(
      `/api/merchant/webhooks/${id(webhookId)}/deliveries${query({ limit: 20 })}`,
    ),
  retry: (webhookId: string, deliveryId: string) =>
    request<WebhookDelivery>(`/api/merchant/webhooks/${id(webhookId)}/deliveries/${id(deliveryId)}/retry`, {
      method: 'POST',
    }),
};

/** A product with its pictures (the product page and the shop's form). */
export const catalog = {
  product: (productId: string) => request<ProductDetail>(`/api/products/${id(productId)}`),
  /** The streams that showed (pinned) it, most recent first. */
  shownIn: (productId: string) => request<Page<ShownIn>>(`/api/products/${id(productId)}/streams`),
  /** Uploads a picture (JPEG, PNG or WebP): the file is the body. */
  addImage: (productId: string, file: Blob) =>
    upload<ProductDetail>(`/api/products/${id(productId)}/images`, file),
  removeImage: (productId: string, imageId: string) =>
    request<ProductDetail>(`/api/products/${id(productId)}/images/${id(imageId)}`, { method: 'DELETE' }),
};

/** The studio's side of onboarding and of a stream's shop (docs/api.md, Merchants and streamers; Streams). */
export const studio = {
  invitations: () => request<Page<StreamerInvitation>>('/api/streamer/invitations'),
  accept: (invitationId: string) =>
    request<LinkedMerchant>(`/api/streamer/invitations/${id(invitationId)}/accept`, { method: 'POST' }),
  decline: (invitationId: string) =>
    request<{ id: string; status: 'declined' }>(`/api/streamer/invitations/${id(invitationId)}/decline`, {
      method: 'POST',
    }),
  /** Attach, change or (null) detach a stream's shop, or rename it; only before it goes live. */
  updateStream: (streamId: string, body: { title?: string; merchantId?: string | null }) =>
    request<Stream>(`/api/streams/${id(streamId)}`, { method: 'PATCH', body }),
};

export const replays = {
  /** Ended streams whose recording is kept, the most recently ended first. */
  recent: (limit = 12) =>
    request<Page<Stream>>(`/api/streams${query({ status: 'ended', replay: 1, limit })}`),
};

/** The checkout's side: the offer now, the buyer's addresses and where an order ships. */
export const buying = {
  /** The stream's pin and what the signed-in buyer may order of it now (price, sale, limit, units). */
  offer: (streamId: string) => request<CurrentPin>(`/api/streams/${id(streamId)}/pins/current`),
  addresses: () => request<Page<Address>>('/api/me/addresses'),
  saveAddress: (body: AddressInput) => request<Address>('/api/me/addresses', { method: 'POST', body }),
  ship: (orderId: string, body: ShippingInput) =>
    request<Order>(`/api/orders/${id(orderId)}/shipping`, { method: 'PUT', body }),
};
