/**
 * What commerce tells live rooms, without knowing how rooms learn it. Orders
 * and catalog inject this abstract class (it is its own injection token);
 * the pins feature provides the implementation, because turning "units of
 * these products changed" into `stock` events means reading which pins show
 * those products.
 *
 * Calls return at once; the implementation coalesces and publishes
 * best-effort.
 */
export abstract class CommerceSignals {
  /** Units of these products changed (reserved, returned or restocked). */
  abstract stockChanged(productIds: Iterable<string>): void;

  /**
   * A purchase in a stream was paid (not merely placed: a placed order may
   * still be declined or expire). The room sees the buyer's first name only.
   */
  abstract purchased(streamId: string, buyer: string, productTitle: string): void;
}
