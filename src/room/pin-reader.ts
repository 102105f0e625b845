import type { PinView } from './protocol';

/**
 * Reads the product currently pinned in a stream: implemented by the pins
 * feature, read by the live room for `room:state`.
 */
export interface PinReader {
  current(streamId: string): Promise<PinView | null>;
}
export const PIN_READER = Symbol('PIN_READER');
