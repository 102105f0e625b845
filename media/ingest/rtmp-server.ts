import * as net from 'node:net';
import * as tls from 'node:tls';
import type { FlvTag } from './flv';
import { IngestRefusal, type EncoderLink, type PublishHandler, type TagSink } from './types';

/**
 * The RTMP protocol itself (handshake, chunk stream, AMF commands) is
 * node-media-server 4's `Rtmp` class, the part of that package livecart
 * uses: its servers, sessions and broadcast map are module singletons that
 * log stream paths (our stream keys) and call process.exit on a port
 * conflict, so this file runs its own listeners and sessions around it.
 */
interface NmsPacket {
  codec_type: number;
  dts: number;
  size: number;
  data: Buffer;
}
interface NmsRtmp {
  parserData(buffer: Buffer): string | null;
  onConnectCallback: (req: { app: string; name: string }) => void;
  onPlayCallback: () => void;
  onPushCallback: () => void;
  onPacketCallback: (packet: NmsPacket) => void;
  onOutputCallback: (buffer: Buffer) => void;
  respondPublish(): void;
  sendStatusMessage(sid: number, level: string, code: string, description: string): void;
  streamApp?: string;
  streamName?: string;
  streamId: number;
  inPackets: Map<number, unknown>;
  parserPacket: { header: { length: number; stream_id: number } };
  onPublish(msg: { streamName?: unknown }): void;
  onPlay(msg: unknown): void;
  packetAlloc(): void;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Rtmp = require('node-media-server/src/protocol/rtmp.js') as new () => NmsRtmp;

interface Guard {
  publishing(): boolean;
  onPublish(streamName: string): void;
  onPlay(): void;
}

/**
 * The protocol class with three methods guarded: publish asks the app first,
 * play is refused (viewers use WHEP and HLS), and message buffers are bounded.
 */
class GuardedRtmp extends Rtmp {
  constructor(private readonly guard: Guard) {
    super();
  }
  override onPublish(msg: { streamName?: unknown }): void {
    this.guard.onPublish(typeof msg.streamName === 'string' ? msg.streamName : '');
  }
  override onPlay(): void {
    this.guard.onPlay();
  }
  override packetAlloc(): void {
    const limit = this.guard.publishing() ? MAX_MESSAGE_BYTES : MAX_COMMAND_BYTES;
    if (this.parserPacket.header.length > limit || this.inPackets.size > MAX_CHUNK_STREAMS) {
      throw new RangeError('RTMP message too large');
    }
    super.packetAlloc();
  }
}

export interface RtmpServerOptions {
  /** Plain RTMP; absent: off. */
  rtmp?: { host: string; port: number };
  /** RTMPS (RTMP over TLS) with a certificate chain and key (PEM); absent: off. */
  rtmps?: { host: string; port: number; cert: Buffer; key: Buffer };
  onPublish: PublishHandler;
  /** A connection must have been authorized to publish within this long (ms), or it is dropped. */
  handshakeTimeoutMs: number;
  /** A publishing encoder that sends nothing for this long (ms) is dropped. */
  idleTimeoutMs?: number;
  /** Connections not yet publishing, per client address. */
  maxPendingPerAddress?: number;
  log: (level: 'info' | 'warn', message: string) => void;
}

/** Bytes a client may send before it is authorized: the handshake (3073) and a few small commands. */
const PRE_PUBLISH_BYTES = 256 * 1024;
/** The largest message before publishing (commands), and after (a video frame). */
const MAX_COMMAND_BYTES = 64 * 1024;
const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
/** RTMP clients use a handful of chunk streams (2–8); each holds a message buffer. */
const MAX_CHUNK_STREAMS = 16;

type Phase = 'handshake' | 'authorizing' | 'publishing' | 'closed';

const STATUS_CODE: Record<IngestRefusal['code'], string> = {
  unauthorized: 'NetStream.Publish.Denied',
  busy: 'NetStream.Publish.BadName',
  ended: 'NetStream.Publish.Denied',
  unsupported_codec: 'NetStream.Publish.Rejected',
  b_frames: 'NetStream.Publish.Rejected',
  no_video: 'NetStream.Publish.Rejected',
  unavailable: 'NetStream.Publish.Failed',
  bad_request: 'NetStream.Publish.BadName',
};

/** The stream key of a publish: the stream name, or the last part of the app when OBS got it in the URL. */
export function rtmpStreamKey(app: string | undefined, streamName: string | undefined): string {
  const name = (streamName ?? '').split('?')[0].trim();
  if (name) return name;
  const parts = (app ?? '').split('/').filter(Boolean);
  return parts.length > 1 ? parts[parts.length - 1] : '';
}

/** One TCP (or TLS) connection of an RTMP client. */
class RtmpConnection implements EncoderLink {
  readonly remote: string;
  private phase: Phase = 'handshake';
  private received = 0;
  private sink?: TagSink;
  private readonly timer: NodeJS.Timeout;
  private readonly rtmp: NmsRtmp;

  constructor(
    private readonly socket: net.Socket,
    readonly protocol: 'rtmp' | 'rtmps',
    private readonly server: RtmpIngestServer,
    private readonly opts: RtmpServerOptions,
  ) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    socket.setNoDelay(true);
    this.rtmp = new GuardedRtmp({
      publishing: () => this.phase === 'publishing',
      onPublish: (name) => this.onPublish(name),
      onPlay: () =>
        this.refuse(
          new IngestRefusal('bad_request', 'This server takes RTMP publishing only; watch with WHEP or HLS'),
        ),
    });
    this.rtmp.onOutputCallback = (buffer) => {
      if (!socket.destroyed) socket.write(buffer);
    };
    this.rtmp.onPacketCallback = (p) => this.onPacket(p);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('error', () => undefined);
    socket.on('close', () => this.onClose());
    this.timer = setTimeout(() => {
      if (this.phase === 'handshake' || this.phase === 'authorizing') {
        this.opts.log('info', `rtmp ${this.remote}: no publish within ${opts.handshakeTimeoutMs} ms; closed`);
        socket.destroy();
      }
    }, opts.handshakeTimeoutMs);
    this.timer.unref();
  }

  private onData(data: Buffer): void {
    if (this.phase === 'closed') return;
    if (this.received === 0 && data[0] !== 3) {
      // C0 is the protocol version: 3. Anything else is not an RTMP client (or RTMPE, unsupported).
      this.opts.log('info', `rtmp ${this.remote}: not an RTMP handshake (first byte ${data[0]}); closed`);
      this.socket.destroy();
      return;
    }
    this.received += data.length;
    if (this.phase !== 'publishing' && this.received > PRE_PUBLISH_BYTES) {
      this.opts.log('info', `rtmp ${this.remote}: too much data before publishing; closed`);
      this.socket.destroy();
      return;
    }
    try {
      const err = this.rtmp.parserData(data);
      if (err) throw new Error(err);
    } catch (e) {
      this.opts.log('info', `rtmp ${this.remote}: protocol error (${(e as Error).message}); closed`);
      this.socket.destroy();
    }
  }

  private onPublish(streamName: string): void {
    if (this.phase !== 'handshake') return;
    this.phase = 'authorizing';
    this.rtmp.streamName = streamName.split('?')[0];
    this.rtmp.streamId = this.rtmp.parserPacket.header.stream_id;
    const streamKey = rtmpStreamKey(this.rtmp.streamApp, streamName);
    this.opts
      .onPublish({ protocol: this.protocol, streamKey, remote: this.remote })
      .then((attach) => {
        if (this.phase !== 'authorizing') return;
        this.phase = 'publishing';
        clearTimeout(this.timer);
        this.server.published(this);
        if (this.opts.idleTimeoutMs) {
          this.socket.setTimeout(this.opts.idleTimeoutMs, () => this.close('no data from the encoder'));
        }
        this.rtmp.respondPublish();
        this.sink = attach(this);
      })
      .catch((e: unknown) => {
        const refusal =
          e instanceof IngestRefusal
            ? e
            : new IngestRefusal('unavailable', 'The server could not take the stream');
        this.refuse(refusal);
      });
  }

  private onPacket(p: NmsPacket): void {
    // Before the app said yes, media is dropped: encoders wait for Publish.Start anyway.
    if (this.phase !== 'publishing' || !this.sink) return;
    if (p.codec_type !== 8 && p.codec_type !== 9) return;
    // The packet's buffer is reused for the next message of its chunk stream: copy.
    const tag: FlvTag = { type: p.codec_type, dts: p.dts, body: Buffer.from(p.data.subarray(0, p.size)) };
    this.sink.tag(tag);
  }

  private refuse(refusal: IngestRefusal): void {
    if (this.phase === 'closed') return;
    try {
      this.rtmp.sendStatusMessage(
        this.rtmp.streamId ?? 0,
        'error',
        STATUS_CODE[refusal.code],
        refusal.message,
      );
    } catch {
      // Nothing to tell a client that has not created a stream.
    }
    this.close(`refused: ${refusal.code}`);
  }

  close(reason: string, refusal?: IngestRefusal): void {
    if (refusal) return this.refuse(refusal);
    if (this.phase === 'closed') return;
    this.opts.log('info', `${this.protocol} ${this.remote}: closed (${reason})`);
    this.finish(reason);
    // end() lets a queued onStatus reach the encoder; destroy() if it does not close.
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }

  private onClose(): void {
    this.finish('the encoder disconnected');
  }

  private finish(reason: string): void {
    if (this.phase === 'closed') return;
    const wasPending = this.phase !== 'publishing';
    this.phase = 'closed';
    clearTimeout(this.timer);
    this.server.forget(this, wasPending);
    const sink = this.sink;
    this.sink = undefined;
    sink?.end(reason);
  }

  get pending(): boolean {
    return this.phase === 'handshake' || this.phase === 'authorizing';
  }

  get address(): string {
    return this.socket.remoteAddress ?? '?';
  }
}

/**
 * RTMP and RTMPS listeners for publishing encoders (OBS, Streamlabs, Larix,
 * hardware boxes). A publish is authorized by the app before the encoder is
 * told to start; until then the connection is bounded in time, bytes and
 * memory, and anything that is not RTMP is dropped without a word.
 */
export class RtmpIngestServer {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Set<RtmpConnection>();
  private readonly pendingByAddress = new Map<string, number>();

  private constructor(private readonly opts: RtmpServerOptions) {}

  /** Starts the listeners; rejects (with the address) when one cannot bind. */
  static async start(opts: RtmpServerOptions): Promise<RtmpIngestServer> {
    const server = new RtmpIngestServer(opts);
    try {
      if (opts.rtmp) {
        const s = net.createServer((socket) => server.accept(socket, 'rtmp'));
        await server.listen(s, opts.rtmp.host, opts.rtmp.port, 'RTMP');
      }
      if (opts.rtmps) {
        const s = tls.createServer(
          { cert: opts.rtmps.cert, key: opts.rtmps.key, handshakeTimeout: opts.handshakeTimeoutMs },
          (socket) => server.accept(socket, 'rtmps'),
        );
        // A failed TLS handshake (a scanner, a plain-RTMP client on the TLS port) is the client's problem.
        s.on('tlsClientError', (_e, socket) => socket.destroy());
        await server.listen(s, opts.rtmps.host, opts.rtmps.port, 'RTMPS');
      }
    } catch (e) {
      await server.close();
      throw e;
    }
    return server;
  }

  private listen(s: net.Server, host: string, port: number, name: string): Promise<void> {
    return new Promise((resolve, reject) => {
      s.once('error', (e: NodeJS.ErrnoException) =>
        reject(new Error(`${name} cannot listen on ${host}:${port}: ${e.code ?? e.message}`)),
      );
      s.listen(port, host, () => {
        s.removeAllListeners('error');
        s.on('error', (e) => this.opts.log('warn', `${name} listener: ${e.message}`));
        this.servers.push(s);
        resolve();
      });
    });
  }

  /** The ports actually bound (port 0 in options picks one), by protocol. */
  get ports(): { rtmp?: number; rtmps?: number } {
    const out: { rtmp?: number; rtmps?: number } = {};
    for (const s of this.servers) {
      const port = (s.address() as net.AddressInfo | null)?.port;
      if (s instanceof tls.Server) out.rtmps = port;
      else out.rtmp = port;
    }
    return out;
  }

  private accept(socket: net.Socket, protocol: 'rtmp' | 'rtmps'): void {
    const address = socket.remoteAddress ?? '?';
    const pending = this.pendingByAddress.get(address) ?? 0;
    if (pending >= (this.opts.maxPendingPerAddress ?? 20)) {
      socket.destroy();
      return;
    }
    this.pendingByAddress.set(address, pending + 1);
    this.connections.add(new RtmpConnection(socket, protocol, this, this.opts));
  }

  /** A connection was authorized: it no longer counts against its address's pending limit. */
  published(conn: RtmpConnection): void {
    this.releasePending(conn.address);
  }

  /** Called once per connection when it ends. */
  forget(conn: RtmpConnection, wasPending: boolean): void {
    this.connections.delete(conn);
    if (wasPending) this.releasePending(conn.address);
  }

  private releasePending(address: string): void {
    const n = (this.pendingByAddress.get(address) ?? 1) - 1;
    if (n <= 0) this.pendingByAddress.delete(address);
    else this.pendingByAddress.set(address, n);
  }

  /** Open connections (publishing or not yet), for /health and tests. */
  get connectionCount(): number {
    return this.connections.size;
  }

  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close('the server is shutting down');
    await Promise.all(this.servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
  }
}
