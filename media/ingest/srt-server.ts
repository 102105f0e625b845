import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { ffmpegExecutable } from '../hls/runner';
import { inputCodecsFromStderr, srtRemuxArgs } from './args';
import { FlvReader } from './flv';
import {
  IngestRefusal,
  type EncoderLink,
  type PublishHandler,
  type RefusalCode,
  type TagSink,
} from './types';

export interface SrtServerOptions {
  /** The livecart-srt helper (media/ingest/srt/livecart-srt.c, built by scripts/srt/ensure-helper.sh). */
  helperPath: string;
  host: string;
  /** UDP port; 0 picks one. */
  port: number;
  /** SRT latency (ms): how long the receiver waits for retransmissions. */
  latencyMs: number;
  /** When set, callers must encrypt with it (SRT AES, 10–79 characters). */
  passphrase?: string;
  maxSessions: number;
  onPublish: PublishHandler;
  ffmpegPath?: string;
  log: (level: 'info' | 'warn', message: string) => void;
}

/**
 * The stream key of an SRT streamid: the bare key, `live/KEY`, or the SRT
 * access-control syntax `#!::r=KEY,m=publish` (a `m` other than publish is
 * refused: this listener only takes publishers). Some callers send it
 * percent-encoded as it stood in their URL (ffmpeg 5.1 does): it is decoded.
 */
export function parseSrtStreamId(raw: string): { key: string; mode?: string } {
  let text = raw.trim();
  if (/%[0-9a-fA-F]{2}/.test(text)) {
    try {
      text = decodeURIComponent(text);
    } catch {
      // Not percent-encoding after all: take it as it is.
    }
  }
  let resource = text;
  let mode: string | undefined;
  if (text.startsWith('#!::')) {
    resource = '';
    for (const pair of text.slice(4).split(',')) {
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const k = pair.slice(0, eq).trim();
      const v = pair.slice(eq + 1).trim();
      if (k === 'r') resource = v;
      else if (k === 'm') mode = v;
    }
  }
  const parts = resource.split('/').filter(Boolean);
  return { key: parts[parts.length - 1] ?? '', mode };
}

/** SRT reject reasons (srt/access_control.h) the encoder is told. */
const REJECT: Record<RefusalCode, number> = {
  unauthorized: 1401, // SRT_REJX_UNAUTHORIZED
  busy: 1409, // SRT_REJX_CONFLICT
  ended: 1404, // SRT_REJX_NOTFOUND
  unsupported_codec: 1415, // SRT_REJX_NOTSUP_MEDIA
  b_frames: 1406, // SRT_REJX_UNACCEPTABLE
  no_video: 1406,
  unavailable: 1503, // SRT_REJX_DOWN
  bad_request: 1400, // SRT_REJX_BAD_REQUEST
};
const REJX_BAD_MODE = 1405;

/** One accepted SRT caller: its MPEG-TS is remuxed to FLV tags by an ffmpeg. */
class SrtConnection implements EncoderLink {
  readonly protocol = 'srt' as const;
  private sink?: TagSink;
  private remux?: ChildProcess;
  private media?: net.Socket;
  private ended = false;
  private readonly stderr: string[] = [];
  stats = { lostPackets: 0, droppedPackets: 0, rttMs: undefined as number | undefined };

  constructor(
    readonly id: number,
    readonly remote: string,
    private readonly server: SrtIngestServer,
    private readonly opts: SrtServerOptions,
  ) {}

  /** The app said yes and the helper accepted the caller: start reading. */
  begin(attach: (link: EncoderLink) => TagSink): void {
    this.sink = attach(this);
    // The video comes on stdout, the audio on fd 3: each read as it comes.
    const remux = spawn(ffmpegExecutable(this.opts.ffmpegPath), srtRemuxArgs(), {
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.remux = remux;
    for (const out of [remux.stdout, remux.stdio[3]]) {
      const reader = new FlvReader();
      out?.on('data', (chunk: Buffer) => {
        try {
          for (const t of reader.push(chunk)) this.sink?.tag(t);
        } catch (e) {
          this.close(`unreadable remux output (${(e as Error).message})`);
        }
      });
    }
    // Whole lines: a chunk may end mid-line, and the codec lines decide a refusal.
    if (remux.stderr) {
      readline.createInterface({ input: remux.stderr }).on('line', (line) => {
        if (line.trim()) this.stderr.push(line.trim());
        if (this.stderr.length > 60) this.stderr.shift();
      });
    }
    remux.stdin?.on('error', () => undefined);
    remux.on('error', (e) => this.close(`could not run ffmpeg: ${e.message}`));
    // 'close', not 'exit': by then its stderr has been read to the end.
    remux.on('close', (code) => {
      if (this.ended) return;
      this.close(`the remux ended (code ${code})`, this.refusalFromStderr());
    });
  }

  /** A codec FLV cannot carry makes the remux fail: say which, as the feed would for RTMP. */
  private refusalFromStderr(): IngestRefusal | undefined {
    const { video, audio } = inputCodecsFromStderr(this.stderr);
    if (video && video !== 'h264') {
      return new IngestRefusal(
        'unsupported_codec',
        `${video.toUpperCase()} video is not supported: set the encoder to H.264`,
      );
    }
    if (audio && audio !== 'aac') {
      return new IngestRefusal(
        'unsupported_codec',
        `${audio.toUpperCase()} audio is not supported: set the encoder's audio to AAC`,
      );
    }
    return undefined;
  }

  /** The helper's connection carrying this caller's payload. */
  attachMedia(socket: net.Socket, head: Buffer): void {
    this.media = socket;
    const stdin = this.remux?.stdin;
    if (!stdin) {
      socket.destroy();
      return;
    }
    if (head.length) stdin.write(head);
    socket.pipe(stdin);
    socket.on('error', () => undefined);
  }

  transportStats() {
    return { ...this.stats };
  }

  close(reason: string, refusal?: IngestRefusal): void {
    if (this.ended) return;
    this.ended = true;
    this.opts.log('info', `srt ${this.remote}: closed (${reason})`);
    this.server.send(`close ${this.id}`);
    this.media?.destroy();
    const remux = this.remux;
    remux?.stdin?.end();
    if (remux) setTimeout(() => remux.kill('SIGKILL'), 1000).unref();
    this.server.forget(this);
    const sink = this.sink;
    this.sink = undefined;
    sink?.end(reason, refusal);
  }
}

/**
 * The SRT listener: the livecart-srt helper (libsrt, one UDP port for every
 * stream) asks this object about each caller's streamid before accepting it,
 * and hands over each accepted caller's MPEG-TS on a Unix socket; an ffmpeg
 * per caller remuxes it to FLV tags, the unit RTMP delivers too.
 */
export class SrtIngestServer {
  private helper?: ChildProcess;
  private readonly connections = new Map<number, SrtConnection>();
  /** Callers the app accepted that the helper has not reported open yet. */
  private readonly accepted = new Map<number, { remote: string; attach: (l: EncoderLink) => TagSink }>();
  /** Media connections that arrived before their `open` line. */
  private readonly earlyMedia = new Map<number, { socket: net.Socket; head: Buffer }>();
  /**
   * Decisions in flight by caller address: a caller repeats its handshake
   * while the helper waits for us, and libsrt asks again for each repeat.
   */
  private readonly deciding = new Map<string, Promise<(l: EncoderLink) => TagSink>>();
  private mediaServer?: net.Server;
  private dir?: string;
  private boundPort = 0;
  private closing = false;
  private restarts = 0;

  private constructor(private readonly opts: SrtServerOptions) {}

  static async start(opts: SrtServerOptions): Promise<SrtIngestServer> {
    if (!fs.existsSync(opts.helperPath)) {
      throw new Error(
        `the SRT helper is missing at ${opts.helperPath}: run scripts/srt/ensure-helper.sh (needs libsrt-gnutls-dev) or set SRT_ENABLED=false`,
      );
    }
    const server = new SrtIngestServer(opts);
    try {
      await server.listenMedia();
      await server.spawnHelper();
    } catch (e) {
      await server.close();
      throw e;
    }
    return server;
  }

  get port(): number {
    return this.boundPort;
  }

  /** The helper runs (the listener is up). */
  get up(): boolean {
    return this.helper !== undefined && this.helper.exitCode === null && !this.closing;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private async listenMedia(): Promise<void> {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livecart-srt-'));
    const sock = path.join(this.dir, 'media.sock');
    this.mediaServer = net.createServer((socket) => this.onMedia(socket));
    await new Promise<void>((resolve, reject) => {
      this.mediaServer!.once('error', reject);
      this.mediaServer!.listen(sock, () => resolve());
    });
  }

  /** A helper connection: the caller's id on the first line, then its payload. */
  private onMedia(socket: net.Socket): void {
    let buf = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const nl = buf.indexOf(10);
      if (nl < 0) {
        if (buf.length > 32) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.pause();
      const id = Number(buf.subarray(0, nl).toString());
      const head = buf.subarray(nl + 1);
      const conn = this.connections.get(id);
      if (conn) conn.attachMedia(socket, head);
      else this.earlyMedia.set(id, { socket, head });
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
  }

  private spawnHelper(): Promise<void> {
    const o = this.opts;
    const helper = spawn(
      o.helperPath,
      [
        o.host,
        String(o.port),
        path.join(this.dir!, 'media.sock'),
        String(o.latencyMs),
        String(o.maxSessions),
      ],
      {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: { ...process.env, LIVECART_SRT_PASSPHRASE: o.passphrase ?? '' },
      },
    );
    this.helper = helper;
    const errors: string[] = [];
    helper.stderr?.setEncoding('utf8');
    helper.stderr?.on('data', (d: string) => errors.push(d.trim()));
    helper.stdin?.on('error', () => undefined);
    return new Promise((resolve, reject) => {
      let ready = false;
      readline.createInterface({ input: helper.stdout }).on('line', (line) => {
        if (!ready && line.startsWith('ready ')) {
          ready = true;
          this.boundPort = Number(line.slice(6));
          this.restarts = 0;
          resolve();
          return;
        }
        this.onHelperLine(line);
      });
      helper.on('error', (e) => {
        if (!ready) reject(new Error(`the SRT helper could not start: ${e.message}`));
      });
      helper.on('exit', (code, signal) => {
        if (!ready) {
          reject(
            new Error(`the SRT listener could not start: ${errors.join(' ') || `exit ${code ?? signal}`}`),
          );
          return;
        }
        this.onHelperExit(code, signal);
      });
    });
  }

  private onHelperExit(code: number | null, signal: string | null): void {
    for (const c of [...this.connections.values()]) c.close('the SRT listener stopped');
    this.accepted.clear();
    if (this.closing) return;
    this.opts.log('warn', `the SRT helper exited (code ${code}, signal ${signal}); restarting`);
    if (++this.restarts > 5) {
      this.opts.log('warn', 'the SRT helper keeps exiting; SRT ingest is down');
      return;
    }
    setTimeout(() => {
      if (this.closing) return;
      this.spawnHelper().catch((e: Error) => this.opts.log('warn', e.message));
    }, 1000).unref();
  }

  /** A line to the helper. */
  send(line: string): void {
    const stdin = this.helper?.stdin;
    if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
  }

  private onHelperLine(line: string): void {
    const [kind, idText, ...rest] = line.split(' ');
    const id = Number(idText);
    if (!Number.isInteger(id)) return;
    if (kind === 'auth') this.authorize(id, rest[0] ?? '?', rest[1] ?? '-');
    else if (kind === 'open') this.open(id);
    else if (kind === 'stats') {
      const c = this.connections.get(id);
      if (c)
        c.stats = { lostPackets: Number(rest[1]), droppedPackets: Number(rest[2]), rttMs: Number(rest[3]) };
    } else if (kind === 'closed') {
      this.accepted.delete(id);
      this.earlyMedia.get(id)?.socket.destroy();
      this.earlyMedia.delete(id);
      this.connections.get(id)?.close(rest.join(' ') || 'the caller disconnected');
    }
  }

  private authorize(id: number, remote: string, hex: string): void {
    const streamid = hex === '-' ? '' : Buffer.from(hex, 'hex').toString('utf8');
    const { key, mode } = parseSrtStreamId(streamid);
    if (mode && mode !== 'publish') {
      this.opts.log(
        'info',
        `srt ${remote}: refused: mode ${JSON.stringify(mode.slice(0, 20))} (only publish)`,
      );
      this.send(`no ${id} ${REJX_BAD_MODE}`);
      return;
    }
    let decision = this.deciding.get(remote);
    if (!decision) {
      decision = this.opts.onPublish({ protocol: 'srt', streamKey: key, remote });
      this.deciding.set(remote, decision);
      const forget = () => setTimeout(() => this.deciding.delete(remote), 5000).unref();
      decision.then(forget, forget);
    }
    decision
      .then((attach) => {
        this.accepted.set(id, { remote, attach });
        // A repeat that libsrt does not accept never opens: forget it.
        setTimeout(() => this.accepted.delete(id), 10_000).unref();
        this.send(`ok ${id}`);
      })
      .catch((e: unknown) => {
        const code = e instanceof IngestRefusal ? e.code : 'unavailable';
        this.opts.log('info', `srt ${remote}: refused: ${code}`);
        this.send(`no ${id} ${REJECT[code]}`);
      });
  }

  private open(id: number): void {
    const a = this.accepted.get(id);
    this.accepted.delete(id);
    if (!a) {
      this.send(`close ${id}`);
      return;
    }
    const conn = new SrtConnection(id, a.remote, this, this.opts);
    this.connections.set(id, conn);
    try {
      conn.begin(a.attach);
    } catch (e) {
      conn.close(`could not start: ${(e as Error).message}`);
      return;
    }
    const early = this.earlyMedia.get(id);
    if (early) {
      this.earlyMedia.delete(id);
      conn.attachMedia(early.socket, early.head);
    }
  }

  forget(conn: SrtConnection): void {
    if (this.connections.get(conn.id) === conn) this.connections.delete(conn.id);
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const c of [...this.connections.values()]) c.close('the server is shutting down');
    const helper = this.helper;
    if (helper && helper.exitCode === null) {
      helper.stdin?.end();
      await new Promise<void>((r) => {
        const t = setTimeout(() => {
          helper.kill('SIGKILL');
          r();
        }, 2000);
        helper.once('exit', () => {
          clearTimeout(t);
          r();
        });
      });
    }
    await new Promise<void>((r) => (this.mediaServer ? this.mediaServer.close(() => r()) : r()));
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
