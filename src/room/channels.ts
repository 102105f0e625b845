import type { StreamStatus } from './protocol';

/**
 * PubSub channels of the live room, shared by the features that publish on
 * them and the ones that listen (with Redis, on every replica).
 */

/** The events of one stream's room (RoomEvents); the live gateway relays them to that room's sockets. */
export const roomChannel = (streamId: string): string => `room:${streamId}`;

/** Stream status changes, for every replica: the SFU, HLS, pins, webhooks and the live room listen. */
export const STREAM_LIFECYCLE_CHANNEL = 'streams:lifecycle';

export interface StreamLifecycleEvent {
  streamId: string;
  status: StreamStatus;
  ownerId: string;
  merchantId: string | null;
  /** `live` again after its publisher was lost: the same stream goes on (HLS continues its playlists). */
  resumed?: boolean;
}

/**
 * A stream's key was replaced, for every replica: an RTMP/SRT encoder still
 * publishing with the old key is disconnected (it may come back with the new
 * one within the reconnect grace).
 */
export const STREAM_KEY_CHANNEL = 'streams:key';

export interface StreamKeyEvent {
  streamId: string;
}
