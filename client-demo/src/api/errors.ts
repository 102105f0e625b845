// The server's one error shape, `{ error: { code, message, details? } }`,
// as a typed error whose message is written for people.

/** Field names the server's validation messages start with, as people call them. */
const FIELD_LABELS: Record<string, string> = {
  priceCents: 'Price',
  salePriceCents: 'Sale price',
  saleStock: 'Sale units',
  perBuyerLimit: 'Limit per buyer',
  endsAt: 'Sale end',
  stock: 'Stock',
  stockDelta: 'Stock change',
  currency: 'Currency',
  imageUrl: 'Image URL',
  sku: 'SKU',
  title: 'Title',
  description: 'Description',
  email: 'Email',
  password: 'Password',
  name: 'Name',
  merchantId: 'Shop',
  streamerId: 'Streamer',
  streamId: 'Stream',
  productId: 'Product',
  quantity: 'Quantity',
  timeZone: 'Time zone',
  text: 'Message',
  minutes: 'Minutes',
  seconds: 'Seconds',
};

/** Codes whose server message is for developers; people get these sentences instead. */
const SENTENCES: Record<string, string> = {
  idempotency_key_required: 'Something went wrong placing the order. Please try again.',
  idempotency_key_invalid: 'Something went wrong placing the order. Please try again.',
  internal: 'Something went wrong on our side. Please try again in a moment.',
  payload_too_large: 'That is too much to send at once.',
  unsupported_media_type: 'Something went wrong sending that. Please reload the page.',
  network: 'Could not reach the server. Check your connection and try again.',
  sale_price_too_high: "The sale price is above the product's normal price.",
  sale_stock_too_high: 'There are not that many units in stock for the sale.',
};

/**
 * Rewrites a validation message that speaks field names into one that speaks
 * labels: `salePriceCents must not be negative` → `Sale price must not be
 * negative`; "minor units" become "the currency's smallest unit". Several
 * messages joined by `; ` are rewritten one by one.
 */
export function humanizeMessage(code: string, message: string): string {
  if (SENTENCES[code]) return SENTENCES[code];
  return message
    .split('; ')
    .map((part) => {
      const m = /^([a-zA-Z]+)(\b.*)$/.exec(part);
      if (!m || !m[1]) return part;
      const label = FIELD_LABELS[m[1]];
      if (!label) return part;
      if (m[2]?.startsWith(': unknown field')) return `${label} is not accepted here.`;
      return `${label}${(m[2] ?? '').replace(/an integer number of minor units/, "a whole number of the currency's smallest unit")}`;
    })
    .join('; ');
}

/** An API call that failed: HTTP status, the stable code, and a message to show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(humanizeMessage(code, message));
  }

  /** The error a failed response body stands for (any body: HTML from a proxy, nothing at all). */
  static fromBody(status: number, body: unknown): ApiError {
    const e = (body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | null)?.error;
    if (e && typeof e.code === 'string' && typeof e.message === 'string') {
      return new ApiError(status, e.code, e.message, e.details as Record<string, unknown> | undefined);
    }
    return new ApiError(status, `http_${status}`, `The server answered ${status}. Please try again.`);
  }
}

/** A message to show for anything thrown. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
