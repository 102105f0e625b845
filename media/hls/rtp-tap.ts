import * as dgram from 'node:dgram';
import { keyframeSize, rtpPayload, type VideoSize } from './probe';

/** Packets kept from the last keyframe while nobody listens (a few seconds of 720p). */
const MAX_BUFFERED = 4000;

/**
 * The video RTP of a transcode passes through this process on its way to
 * ffmpeg. It holds the ports the SFU sends to and forwards RTP and RTCP to
 * ffmpeg's own ports, which buys three things:
 *
 * - the size of every keyframe (VP8 key frame header, H.264 SPS), so the
 *   ladder is planned without ffprobe and re-planned when the publisher
 *   changes resolution mid-stream;
 * - the packets from the last keyframe on are kept while ffmpeg starts, and
 *   handed to it the moment it listens: its first frame needs no new
 *   keyframe from the publisher;
 * - a run can be stopped and the next one started on a keyframe without
 *   the SFU noticing.
 */
export class VideoRtpTap {
  private dest?: { host: string; rtp: number; rtcp: number };
  private buffer: Buffer[] = [];
  private current?: VideoSize;
  private keyframeAt?: number;
  private closed = false;
  private sizeListeners: ((s: VideoSize, changed: boolean) => void)[] = [];

  private constructor(
    private readonly rtp: dgram.Socket,
    private readonly rtcp: dgram.Socket,
    readonly codec: string,
  ) {
    rtp.on('message', (pkt: Buffer) => this.onRtp(pkt));
    rtcp.on('message', (pkt: Buffer) => {
      if (this.dest) this.rtcp.send(pkt, this.dest.rtcp, this.dest.host);
    });
    // ICMP port unreachable while ffmpeg restarts surfaces as send errors: nothing to do.
    rtp.on('error', () => undefined);
    rtcp.on('error', () => undefined);
  }

  /** Binds the RTP and RTCP ports the SFU sends the video to. */
  static async open(host: string, ports: { rtp: number; rtcp: number }, codec: string): Promise<VideoRtpTap> {
    const type = host.includes(':') ? 'udp6' : 'udp4';
    const bind = (port: number) =>
      new Promise<dgram.Socket>((resolve, reject) => {
        const s = dgram.createSocket({ type });
        s.once('error', reject);
        s.bind(port, host, () => {
          s.off('error', reject);
          resolve(s);
        });
      });
    const rtp = await bind(ports.rtp);
    const rtcp = await bind(ports.rtcp).catch((e: unknown) => {
      rtp.close();
      throw e;
    });
    return new VideoRtpTap(rtp, rtcp, codec);
  }

  /** The size of the newest keyframe. */
  get size(): VideoSize | undefined {
    return this.current;
  }

  /** Calls `fn` with the size of every keyframe from now on (`changed`: it differs from the one before). */
  onKeyframe(fn: (s: VideoSize, changed: boolean) => void): () => void {
    this.sizeListeners.push(fn);
    return () => (this.sizeListeners = this.sizeListeners.filter((f) => f !== fn));
  }

  /** The first keyframe's size (at once if one came already). */
  firstKeyframe(timeoutMs: number, signal?: AbortSignal): Promise<VideoSize | undefined> {
    if (this.current) return Promise.resolve(this.current);
    return new Promise((resolve, reject) => {
      const done = (v: VideoSize | undefined, err?: Error) => {
        clearTimeout(timer);
        off();
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(v);
      };
      const onAbort = () => done(undefined);
      const timer = setTimeout(
        () => done(undefined, new Error(`no ${this.codec} keyframe arrived within ${timeoutMs} ms`)),
        timeoutMs,
      );
      const off = this.onKeyframe((s) => done(s));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Starts forwarding to ffmpeg: first what was kept since the last keyframe, then live.
   * Returns when that keyframe arrived (ms since epoch), if one was kept.
   */
  forward(dest: { host: string; rtp: number; rtcp: number }): number | undefined {
    this.dest = dest;
    const at = this.buffer.length ? this.keyframeAt : undefined;
    for (const pkt of this.buffer.splice(0)) this.rtp.send(pkt, dest.rtp, dest.host);
    return at;
  }

  /** Stops forwarding (the run ends); packets are kept again from the next keyframe on. */
  hold(): void {
    this.dest = undefined;
    this.buffer = [];
  }

  private onRtp(pkt: Buffer): void {
    const p = rtpPayload(pkt);
    const size = p && keyframeSize(this.codec, p.payload);
    if (size && size.width > 0 && size.height > 0) {
      const changed =
        this.current !== undefined &&
        (this.current.width !== size.width || this.current.height !== size.height);
      this.current = { ...size, codec: this.codec };
      if (!this.dest) {
        this.buffer = [];
        this.keyframeAt = Date.now();
      }
      for (const fn of [...this.sizeListeners]) fn(this.current, changed);
    }
    if (this.dest) this.rtp.send(pkt, this.dest.rtp, this.dest.host);
    else if (this.current && this.buffer.length < MAX_BUFFERED) this.buffer.push(pkt);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dest = undefined;
    this.buffer = [];
    this.rtp.close();
    this.rtcp.close();
  }
}
