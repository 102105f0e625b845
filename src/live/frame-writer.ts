import type { Socket as NetSocket } from 'node:net';
import type { Namespace, Socket } from 'socket.io';

/** socket.io-parser's EVENT packet type. */
const EVENT = 2;
/** ws's Sender state when it is neither compressing nor reading a Blob. */
const SENDER_IDLE = 0;
const WS_OPEN = 1;

/** The parts of engine.io's and ws's objects the direct path reads (all checked before use). */
interface EngineConnection {
  readyState?: string;
  upgrading?: boolean;
  writeBuffer?: unknown[];
  transport?: {
    name?: string;
    perMessageDeflate?: unknown;
    socket?: {
      readyState?: number;
      _sender?: { _state?: number; _queue?: unknown[] };
      _socket?: NetSocket;
    };
  };
}

interface Encoder {
  encode(packet: { type: number; nsp: string; data: unknown[] }): (string | Buffer)[];
}

/**
 * Writes one socket.io event to many sockets of a namespace, the way a room
 * broadcast does (one encoding, one ready websocket frame for everyone), minus
 * engine.io's per-socket bookkeeping.
 *
 * socket.io already pre-encodes a broadcast into a websocket frame, but each
 * socket still goes through engine.io's packet queue, its flush, drain and
 * ready events, a write callback and ws's cork/writev: a large part of the
 * server's CPU per socket per frame goes to that bookkeeping
 * (docs/benchmarks/chat.md). A socket whose connection is an open websocket
 * with nothing queued ahead (engine.io's write buffer empty, ws not
 * compressing) gets the frame as one write on its TCP socket: the same bytes socket.io would have sent, in the same order, since nothing
 * of engine.io's was waiting. Any other socket (long-polling, upgrading, a
 * queue ahead, binary data, outgoing listeners) goes through socket.io as
 * before, so the direct path never changes what a client receives, only what
 * it costs. A slow reader buffers in Node as with socket.io, and is dropped by
 * engine.io's heartbeat when it stops answering.
 *
 * It reads engine.io and ws internals, each checked per socket; if a version
 * changes them, the checks fail and everything takes socket.io's path (the
 * writes reported per path, asserted by the tests and counted in /metrics,
 * show which path ran).
 */
export class FrameWriter {
  constructor(
    private readonly ns: Namespace,
    private readonly enabled = true,
    /** Told how many sockets each path wrote, once per emit (/metrics counts them). */
    private readonly observe?: (path: 'direct' | 'socketio', sockets: number) => void,
  ) {}

  /** Emits `event` to the sockets with these ids (those that left meanwhile are skipped). */
  emit(ids: Iterable<string>, event: string, data: unknown): void {
    const frame = this.enabled ? this.frame(event, data) : null;
    const rest: string[] = [];
    let direct = 0;
    for (const id of ids) {
      const socket = this.ns.sockets.get(id);
      if (!socket) continue;
      const out = frame ? writable(socket) : null;
      if (out) {
        out.write(frame!);
        direct++;
      } else {
        rest.push(id);
      }
    }
    if (direct > 0) this.observe?.('direct', direct);
    if (rest.length === 0) return;
    this.observe?.('socketio', rest.length);
    (this.ns.local.to(rest).emit as (ev: string, d: unknown) => boolean)(event, data);
  }

  /** The websocket frame socket.io would send for this event, or null if it is not one text frame. */
  private frame(event: string, data: unknown): Buffer | null {
    const encoder = (this.ns.server as unknown as { encoder?: Encoder }).encoder;
    if (!encoder) return null;
    const packets = encoder.encode({ type: EVENT, nsp: this.ns.name, data: [event, data] });
    if (packets.length !== 1 || typeof packets[0] !== 'string') return null;
    // "4" is engine.io's message packet type.
    return wsTextFrame(Buffer.from('4' + packets[0]));
  }
}

/** One unmasked, final websocket text frame (RFC 6455 §5.2), as a server sends it. */
export function wsTextFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + n);
  frame[0] = 0x81; // FIN, opcode 1 (text)
  if (n < 126) {
    frame[1] = n;
  } else if (n < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(n, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(frame, head);
  return frame;
}

/** The TCP socket to write a ready frame on, if nothing of engine.io's or ws's is waiting ahead of it. */
function writable(socket: Socket): NetSocket | null {
  if (!socket.connected) return null;
  if ((socket as unknown as { _anyOutgoingListeners?: unknown[] })._anyOutgoingListeners?.length) return null;
  const conn = socket.conn as unknown as EngineConnection;
  if (conn.readyState !== 'open' || conn.upgrading || conn.writeBuffer?.length !== 0) return null;
  const t = conn.transport;
  if (t?.name !== 'websocket' || t.perMessageDeflate) return null;
  const ws = t.socket;
  if (ws?.readyState !== WS_OPEN) return null;
  if (ws._sender?._state !== SENDER_IDLE || ws._sender._queue?.length !== 0) return null;
  const tcp = ws._socket;
  if (!tcp || tcp.destroyed || !tcp.writable) return null;
  return tcp;
}
