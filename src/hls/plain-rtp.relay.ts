import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import {
  openRoomMedia,
  StreamNotLiveError,
  type ContainerGoneReason,
  type ContainerSession,
  type MediaSession,
  type PlainRtpSession,
  type PlainRtpSource,
  type PlainRtpTarget,
} from '../../media';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config/config';
import { PUBSUB } from '../infra/infra.module';
import type { PubSub, Unsubscribe } from '../infra/pubsub';
import { SfuHost } from '../streams/ingest/sfu.provider';

const OPEN = 'hls:rtp:open';
const CTL = 'hls:rtp:ctl';
const reply = (node: string) => `hls:rtp:reply:${node}`;
/** A replica answers within this long or nobody holds the stream. */
const OPEN_TIMEOUT_MS = 5_000;
const LEASE_MS = 3_000;
/** A session whose worker stopped renewing its lease (SIGKILL) is closed after this long. */
const LEASE_EXPIRY_MS = 15_000;

interface OpenRequest {
  reqId: string;
  streamId: string;
  target: PlainRtpTarget;
  node: string;
  /** How long an RTMP/SRT ingest may wait for its encoder to reconnect. */
  waitMs?: number;
}
type Reply =
  | { reqId: string; sessionId: string; sdp: string; video: PlainRtpSession['video']; hasAudio: boolean }
  | {
      reqId: string;
      sessionId: string;
      kind: 'flv';
      video: ContainerSession['video'];
      audio?: ContainerSession['audio'];
    }
  | { sessionId: string; gone: true; reason?: ContainerGoneReason }
  | { sessionId: string; started: number | null }
  | { sessionId: string; startFailed: string };
interface Ctl {
  sessionId: string;
  op: 'start' | 'keyframe' | 'close' | 'lease';
}

/**
 * Plain RTP across processes, over PubSub. A worker (any process) asks
 * "who has stream X? send RTP to host:ports"; the replica whose SFU holds
 * the room opens a PlainOutput towards the worker and answers with the SDP
 * (for an RTMP/SRT ingest: with the encoder's codecs, and on start it
 * connects to the worker's TCP port and sends FLV);
 * start / keyframe / close travel the same way, and the worker renews a
 * lease so a SIGKILLed worker's output is closed by the replica. RTP itself
 * flows replica → worker over UDP. With the in-process PubSub (one node)
 * this is only the fallback when the local SFU has no such room.
 */
@Injectable()
export class PlainRtpRelay implements PlainRtpSource, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('HlsRtp');
  private readonly node = randomUUID();
  private readonly pending = new Map<string, (r: Reply) => void>();
  private readonly gone = new Map<string, (reason?: ContainerGoneReason) => void>();
  private readonly starts = new Map<string, (r: Reply) => void>();
  /** Sessions this replica serves, with their lease deadline. */
  private readonly served = new Map<string, { output: MediaSession; until: number; node: string }>();
  private readonly unsubs: Unsubscribe[] = [];
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly host: SfuHost,
    @Inject(PUBSUB) private readonly pubsub: PubSub,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubs.push(
      await this.pubsub.subscribe(reply(this.node), (m) => {
        const r = m as Reply;
        if ('gone' in r) this.gone.get(r.sessionId)?.(r.reason);
        else if ('started' in r || 'startFailed' in r) this.starts.get(r.sessionId)?.(r);
        else this.pending.get(r.reqId)?.(r);
      }),
    );
    if (!this.host.sfu) return;
    this.unsubs.push(await this.pubsub.subscribe(OPEN, (m) => void this.serveOpen(m as OpenRequest)));
    this.unsubs.push(await this.pubsub.subscribe(CTL, (m) => void this.serveCtl(m as Ctl)));
    this.sweeper = setInterval(() => {
      for (const [id, s] of this.served) {
        if (Date.now() > s.until) {
          this.logger.warn(`plain RTP session ${id}: lease expired; closing`);
          void s.output.close();
        }
      }
    }, LEASE_MS);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.sweeper);
    for (const s of this.served.values()) await s.output.close();
    for (const u of this.unsubs.splice(0)) await u();
  }

  private async serveOpen(req: OpenRequest): Promise<void> {
    const room = this.host.sfu?.room(req.streamId);
    if (!room || room.producers.length === 0) return;
    try {
      const output = await openRoomMedia(
        req.streamId,
        room,
        req.target,
        this.config.media.listenIp,
        req.waitMs ?? 0,
      );
      const sessionId = randomUUID();
      this.served.set(sessionId, { output, until: Date.now() + LEASE_EXPIRY_MS, node: req.node });
      void output.gone.then(() => {
        this.served.delete(sessionId);
        const reason = output.kind === 'flv' ? output.goneReason() : undefined;
        void this.pubsub.publish(reply(req.node), { sessionId, gone: true, reason });
      });
      await this.pubsub.publish(
        reply(req.node),
        output.kind === 'flv'
          ? { reqId: req.reqId, sessionId, kind: 'flv', video: output.video, audio: output.audio }
          : {
              reqId: req.reqId,
              sessionId,
              sdp: output.sdp,
              video: output.video,
              hasAudio: output.hasAudio,
            },
      );
    } catch (e) {
      this.logger.warn(`plain RTP for ${req.streamId} failed: ${(e as Error).message}`);
    }
  }

  private async serveCtl(c: Ctl): Promise<void> {
    const s = this.served.get(c.sessionId);
    if (!s) return;
    const o = s.output;
    try {
      if (c.op === 'lease') s.until = Date.now() + LEASE_EXPIRY_MS;
      else if (c.op === 'start' && o.kind === 'flv') {
        const started = await o.start();
        await this.pubsub.publish(reply(s.node), { sessionId: c.sessionId, started: started ?? null });
      } else if (c.op === 'start') await o.start();
      else if (c.op === 'keyframe') {
        if (o.kind !== 'flv') await o.requestKeyFrame();
      } else await o.close();
    } catch (e) {
      this.logger.warn(`plain RTP ${c.op} failed: ${(e as Error).message}`);
      if (c.op === 'start' && o.kind === 'flv') {
        await this.pubsub
          .publish(reply(s.node), { sessionId: c.sessionId, startFailed: (e as Error).message })
          .catch(() => undefined);
      }
    }
  }

  async open(streamId: string, target: PlainRtpTarget, waitMs = 0): Promise<MediaSession> {
    const reqId = randomUUID();
    const answer = await new Promise<Reply | undefined>((resolve) => {
      const timer = setTimeout(() => resolve(undefined), OPEN_TIMEOUT_MS + waitMs);
      this.pending.set(reqId, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      void this.pubsub.publish(OPEN, {
        reqId,
        streamId,
        target,
        node: this.node,
        waitMs,
      } satisfies OpenRequest);
    });
    this.pending.delete(reqId);
    if (!answer || !('reqId' in answer)) throw new StreamNotLiveError(streamId);
    const { sessionId } = answer;
    const ctl = (op: Ctl['op']) => this.pubsub.publish(CTL, { sessionId, op } satisfies Ctl);
    let resolveGone!: () => void;
    let goneReason: ContainerGoneReason | undefined;
    const gone = new Promise<void>((r) => (resolveGone = r));
    this.gone.set(sessionId, (reason) => {
      goneReason ??= reason;
      resolveGone();
    });
    const lease = setInterval(() => void ctl('lease').catch(() => undefined), LEASE_MS);
    lease.unref();
    let closed = false;
    const close = async () => {
      if (closed) return;
      closed = true;
      clearInterval(lease);
      this.gone.delete(sessionId);
      this.starts.delete(sessionId);
      resolveGone();
      await ctl('close');
    };
    if ('kind' in answer) {
      return {
        kind: 'flv',
        video: answer.video,
        audio: answer.audio,
        gone,
        goneReason: () => goneReason,
        // The replica connects to the transcoder and answers with the keyframe's arrival time.
        start: () =>
          new Promise<number | undefined>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error('the replica did not start the stream')), 10_000);
            this.starts.set(sessionId, (r) => {
              clearTimeout(timer);
              this.starts.delete(sessionId);
              if ('startFailed' in r) reject(new Error(r.startFailed));
              else if ('started' in r) resolve(r.started ?? undefined);
            });
            void ctl('start').catch((e: Error) => reject(e));
          }),
        close,
      };
    }
    return {
      sdp: answer.sdp,
      video: answer.video,
      hasAudio: answer.hasAudio,
      gone,
      start: () => ctl('start'),
      requestKeyFrame: () => ctl('keyframe'),
      close,
    };
  }
}
