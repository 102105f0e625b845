import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { MediaUnavailableError } from './errors';

export interface WorkerPoolOptions {
  /** Workers to run; default one per core. */
  numWorkers: number;
  logLevel: types.WorkerLogLevel;
  /** Told when a worker dies (it is replaced) and when a replacement fails. */
  onWorkerDied?: (info: { pid: number; error: Error; routers: number }) => void;
  /** Path of the mediasoup-worker binary; default mediasoup's own resolution. */
  workerBin?: string;
  /**
   * One WebRtcServer per worker: every WebRTC transport of the worker shares
   * its one UDP and one TCP port, so a session costs no port of its own.
   * Worker i listens on `port + i` (UDP and TCP); port 0 lets each worker
   * take any free port (tests, several processes on one machine).
   */
  webRtc?: { listenIp: string; announcedAddress?: string; port: number };
}

interface Slot {
  /** Position in the pool: worker i listens on webRtc.port + i, its replacement too. */
  index: number;
  worker: types.Worker;
  /** Routers currently placed on this worker: the load measure for placement. */
  routers: Set<types.Router>;
  webRtcServer?: types.WebRtcServer;
  /** The ports webRtcServer listens on. */
  ports?: { udp: number; tcp: number };
}

/**
 * A pool of mediasoup workers (one C++ process each). Routers go to the
 * least-loaded worker; a worker that dies is replaced, and the routers it
 * held are reported closed (mediasoup closes them with the worker), so
 * their owners end their sessions cleanly.
 */
export class WorkerPool {
  private readonly slots: Slot[] = [];
  private closed = false;

  private constructor(private readonly opts: WorkerPoolOptions) {}

  static async create(opts: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(opts);
    if (opts.workerBin) process.env.MEDIASOUP_WORKER_BIN = opts.workerBin;
    try {
      for (let i = 0; i < opts.numWorkers; i++) pool.slots.push(await pool.spawn(i));
    } catch (e) {
      pool.close();
      throw e;
    }
    return pool;
  }

  private async spawn(index: number): Promise<Slot> {
    const worker = await mediasoup.createWorker({ logLevel: this.opts.logLevel, logTags: ['ice', 'dtls'] });
    const slot: Slot = { index, worker, routers: new Set() };
    const rtc = this.opts.webRtc;
    if (rtc) {
      const port = rtc.port === 0 ? undefined : rtc.port + index;
      const info = { ip: rtc.listenIp, announcedAddress: rtc.announcedAddress, port };
      try {
        slot.webRtcServer = await worker.createWebRtcServer({
          listenInfos: [
            { protocol: 'udp', ...info },
            { protocol: 'tcp', ...info },
          ],
        });
      } catch (e) {
        worker.close();
        throw new MediaUnavailableError(
          `mediasoup worker ${index} cannot listen for WebRTC on ${rtc.listenIp}:${port ?? 'any'} ` +
            `(UDP and TCP): ${(e as Error).message}`,
        );
      }
      const dump = await slot.webRtcServer.dump();
      slot.ports = { udp: dump.udpSockets[0]?.port ?? 0, tcp: dump.tcpServers[0]?.port ?? 0 };
    }
    worker.on('died', (error: Error) => void this.replace(slot, error));
    return slot;
  }

  private async replace(slot: Slot, error: Error): Promise<void> {
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    this.opts.onWorkerDied?.({ pid: slot.worker.pid, error, routers: slot.routers.size });
    slot.routers.clear();
    if (this.closed) return;
    try {
      this.slots.push(await this.spawn(slot.index));
    } catch (e) {
      this.opts.onWorkerDied?.({ pid: -1, error: e as Error, routers: 0 });
    }
  }

  /** A new router on the least-loaded live worker. */
  async createRouter(mediaCodecs: types.RouterRtpCodecCapability[]): Promise<types.Router> {
    if (this.closed) throw new MediaUnavailableError('The media server is shutting down');
    const slot = this.slots
      .filter((s) => !s.worker.closed && !s.worker.died)
      .sort((a, b) => a.routers.size - b.routers.size)[0];
    if (!slot) throw new MediaUnavailableError('No mediasoup worker is running');
    const router = await slot.worker.createRouter({ mediaCodecs });
    slot.routers.add(router);
    router.observer.once('close', () => slot.routers.delete(router));
    return router;
  }

  /** The WebRtcServer of the worker that hosts `router`, when the pool runs them. */
  webRtcServerOf(router: types.Router): types.WebRtcServer | undefined {
    return this.slots.find((s) => s.routers.has(router))?.webRtcServer;
  }

  /** The UDP and TCP port each live worker takes WebRTC on. */
  rtcPorts(): { udp: number; tcp: number }[] {
    return this.slots.flatMap((s) => (s.ports ? [s.ports] : []));
  }

  /** The pid of the worker process that hosts `router` (for tests of worker death). */
  pidOf(router: types.Router): number | undefined {
    return this.slots.find((s) => s.routers.has(router))?.worker.pid;
  }

  /** Per-worker load and liveness, for /health and /metrics. */
  stats(): { pid: number; routers: number; alive: boolean }[] {
    return this.slots.map((s) => ({
      pid: s.worker.pid,
      routers: s.routers.size,
      alive: !s.worker.closed && !s.worker.died,
    }));
  }

  get size(): number {
    return this.slots.filter((s) => !s.worker.closed && !s.worker.died).length;
  }

  /** Kills a worker as if it crashed (for tests of recovery). */
  killWorkerForTest(index = 0): number {
    const slot = this.slots[index];
    process.kill(slot.worker.pid, 'SIGKILL');
    return slot.worker.pid;
  }

  close(): void {
    this.closed = true;
    for (const s of this.slots) s.worker.close();
    this.slots.length = 0;
  }
}
