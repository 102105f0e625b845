import * as net from 'node:net';
import type { ContainerGoneReason, ContainerSession } from '../sfu/plain-output';
import { flvHeader, flvTagBytes, FLV_AUDIO, FLV_VIDEO, type FlvTag } from './flv';

/** What a new output is handed at start: the decoder configurations and the tags since the last keyframe. */
export interface GopSnapshot {
  configs: FlvTag[];
  gop: FlvTag[];
  /** When the GOP's keyframe arrived (ms since epoch). */
  keyframeAt?: number;
}

/** Bytes queued on the socket beyond which video is dropped until the next keyframe (a stalled transcoder). */
const MAX_QUEUED = 8 * 1024 * 1024;
const CONNECT_TRIES_MS = 5000;

/**
 * One transcoder reading an ingest's media: FLV over TCP, from the newest
 * keyframe on. A transcoder that falls behind loses whole GOPs, never
 * single frames; the feed closes the output when its encoder goes.
 */
export class ContainerOutput implements ContainerSession {
  readonly kind = 'flv' as const;
  private socket?: net.Socket;
  private reason?: ContainerGoneReason;
  private resolveGone!: () => void;
  readonly gone = new Promise<void>((r) => (this.resolveGone = r));
  private skipping = false;
  private started = false;
  /**
   * The time of the keyframe this output starts at. Audio from before it is
   * not sent: an encoder's MPEG-TS (SRT) interleaves audio ahead of video, and
   * ffmpeg's HLS muxer counts its part boundaries from the first packet it
   * writes, audio included, so an earlier audio packet would put every part
   * boundary off the keyframes and no copied part would start with one.
   */
  private startDts?: number;

  constructor(
    private readonly target: { host: string; port: number },
    readonly video: ContainerSession['video'],
    readonly audio: ContainerSession['audio'],
    private readonly snapshot: () => GopSnapshot,
    private readonly onClosed: (o: ContainerOutput) => void,
  ) {}

  goneReason(): ContainerGoneReason | undefined {
    return this.reason;
  }

  async start(): Promise<number | undefined> {
    if (this.reason) throw new Error('the ingest stopped');
    const socket = await this.connect();
    if (this.reason) {
      socket.destroy();
      throw new Error('the ingest stopped');
    }
    this.socket = socket;
    socket.on('error', () => this.end('closed'));
    socket.on('close', () => this.end('closed'));
    const snap = this.snapshot();
    this.startDts = snap.gop.find((t) => t.type === FLV_VIDEO)?.dts;
    socket.write(flvHeader(this.audio !== undefined, true));
    for (const t of snap.configs) socket.write(flvTagBytes(t));
    for (const t of snap.gop) if (!this.beforeStart(t)) socket.write(flvTagBytes(t));
    this.started = true;
    return snap.keyframeAt;
  }

  /** ffmpeg binds its listening socket a moment after it starts: retry a refused connection briefly. */
  private async connect(): Promise<net.Socket> {
    const t0 = Date.now();
    for (;;) {
      try {
        return await new Promise<net.Socket>((resolve, reject) => {
          const s = net.connect({ host: this.target.host, port: this.target.port });
          s.setNoDelay(true);
          s.once('connect', () => {
            s.off('error', reject);
            resolve(s);
          });
          s.once('error', reject);
        });
      } catch (e) {
        if (Date.now() - t0 > CONNECT_TRIES_MS || this.reason) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /** Audio timed before the keyframe the output started at (see startDts). */
  private beforeStart(t: FlvTag): boolean {
    return t.type === FLV_AUDIO && this.startDts !== undefined && t.dts < this.startDts;
  }

  /** A tag of the live stream (already timed for the transcoder). */
  write(tag: FlvTag, keyframe: boolean): void {
    const s = this.socket;
    if (!this.started || !s || s.destroyed || this.beforeStart(tag)) return;
    if (tag.type === FLV_VIDEO) {
      if (keyframe && s.writableLength < MAX_QUEUED / 4) this.skipping = false;
      else if (s.writableLength > MAX_QUEUED) this.skipping = true;
    }
    if (this.skipping) return;
    s.write(flvTagBytes(tag));
  }

  /** Config tags always go through (a new SPS after a reconnect or a resize). */
  writeConfig(tag: FlvTag): void {
    if (this.started && this.socket && !this.socket.destroyed) this.socket.write(flvTagBytes(tag));
  }

  /** Stops the output; the transcoder sees the end of its input. */
  end(reason: ContainerGoneReason): void {
    if (this.reason) return;
    this.reason = reason;
    this.socket?.end();
    const s = this.socket;
    if (s) setTimeout(() => s.destroy(), 2000).unref();
    this.onClosed(this);
    this.resolveGone();
  }

  async close(): Promise<void> {
    this.end('closed');
  }
}
