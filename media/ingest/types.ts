import type { FlvTag } from './flv';

export type IngestProtocol = 'rtmp' | 'rtmps' | 'srt';

/** An encoder asking to publish, before it is authorized. */
export interface PublishRequest {
  protocol: IngestProtocol;
  /** The stream key it presented (RTMP stream name, SRT streamid). Secret: never log it. */
  streamKey: string;
  /** `address:port` of the encoder. */
  remote: string;
}

/** Why a publish is refused, as the encoder is told (RTMP onStatus description, SRT reject reason). */
export type RefusalCode =
  | 'unauthorized'
  | 'busy'
  | 'ended'
  | 'unsupported_codec'
  | 'b_frames'
  | 'no_video'
  | 'unavailable'
  | 'bad_request';

export class IngestRefusal extends Error {
  constructor(
    readonly code: RefusalCode,
    message: string,
  ) {
    super(message);
    this.name = 'IngestRefusal';
  }
}

/** A connected, authorized encoder, as the protocol server exposes it to the feed. */
export interface EncoderLink {
  readonly protocol: IngestProtocol;
  readonly remote: string;
  /** Ends the connection. `refusal`: tell the encoder why, where the protocol can. Idempotent. */
  close(reason: string, refusal?: IngestRefusal): void;
  /** Packets the transport itself lost or dropped (SRT), if it knows. */
  transportStats?(): { lostPackets: number; droppedPackets: number; rttMs?: number };
}

/** Where an authorized encoder's tags go. */
export interface TagSink {
  tag(tag: FlvTag): void;
  /**
   * The connection is gone (closed by either side); no more tags follow.
   * `refusal`: the protocol layer found the media unacceptable (an SRT
   * stream in a codec FLV cannot carry).
   */
  end(reason: string, refusal?: IngestRefusal): void;
}

/**
 * What the app decides for a publish request: resolves to the sink of the
 * accepted encoder's tags (`attach` is called once the protocol confirms the
 * publish), or rejects with an IngestRefusal.
 */
export type PublishHandler = (req: PublishRequest) => Promise<(link: EncoderLink) => TagSink>;
