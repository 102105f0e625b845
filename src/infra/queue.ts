import { Job as BullJob, Queue, Worker } from 'bullmq';
import type Redis from 'ioredis';

export interface JobOptions {
  /** Deduplicates: adding a job whose id is waiting, delayed or active does nothing. */
  jobId?: string;
  delayMs?: number;
  /** Total tries, the first included. Default 3. */
  attempts?: number;
  /** First retry delay; doubles each retry. Default 1000 ms. */
  backoffMs?: number;
}

export interface Job<T> {
  id: string;
  name: string;
  data: T;
  /** Tries already made before this one. */
  attemptsMade: number;
  updateProgress(progress: Record<string, unknown>): Promise<void>;
}

export type JobHandler<T> = (job: Job<T>) => Promise<void>;

export interface ProcessOptions {
  concurrency?: number;
}

/**
 * A named job queue. One node: in-process timers; many: BullMQ on Redis, whose
 * stalled-job recovery hands the job of a dead worker to a live one.
 */
export interface JobQueue<T = unknown> {
  readonly name: string;
  add(name: string, data: T, opts?: JobOptions): Promise<string>;
  remove(jobId: string): Promise<void>;
  process(handler: JobHandler<T>, opts?: ProcessOptions): Promise<void>;
  close(): Promise<void>;
}

export interface QueueFactory {
  get<T>(name: string): JobQueue<T>;
  close(): Promise<void>;
}

const DEFAULTS = { attempts: 3, backoffMs: 1000 };

interface LocalJob<T> {
  id: string;
  name: string;
  data: T;
  attemptsMade: number;
  attempts: number;
  backoffMs: number;
  timer?: NodeJS.Timeout;
  state: 'delayed' | 'waiting' | 'active';
}

/** In-process queue for the single-node default: same retry and dedupe semantics as BullMQ. */
export class LocalJobQueue<T> implements JobQueue<T> {
  private readonly jobs = new Map<string, LocalJob<T>>();
  private readonly waiting: LocalJob<T>[] = [];
  private handler?: JobHandler<T>;
  private concurrency = 1;
  private active = 0;
  private closed = false;
  private seq = 0;
  private readonly idle = new Set<() => void>();

  constructor(
    readonly name: string,
    private readonly onError: (err: unknown, job: Job<T>) => void = () => undefined,
  ) {}

  async add(name: string, data: T, opts: JobOptions = {}): Promise<string> {
    if (this.closed) throw new Error(`queue ${this.name} is closed`);
    const id = opts.jobId ?? `${++this.seq}`;
    if (this.jobs.has(id)) return id;
    const job: LocalJob<T> = {
      id,
      name,
      data,
      attemptsMade: 0,
      attempts: opts.attempts ?? DEFAULTS.attempts,
      backoffMs: opts.backoffMs ?? DEFAULTS.backoffMs,
      state: 'delayed',
    };
    this.jobs.set(id, job);
    this.schedule(job, opts.delayMs ?? 0);
    return id;
  }

  private schedule(job: LocalJob<T>, delayMs: number): void {
    job.state = 'delayed';
    job.timer = setTimeout(() => {
      job.timer = undefined;
      job.state = 'waiting';
      this.waiting.push(job);
      this.pump();
    }, delayMs);
  }

  async remove(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job || job.state === 'active') return;
    if (job.timer) clearTimeout(job.timer);
    const i = this.waiting.indexOf(job);
    if (i >= 0) this.waiting.splice(i, 1);
    this.jobs.delete(jobId);
  }

  async process(handler: JobHandler<T>, opts: ProcessOptions = {}): Promise<void> {
    if (this.handler) throw new Error(`queue ${this.name} already has a processor`);
    this.handler = handler;
    this.concurrency = opts.concurrency ?? 1;
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.handler && this.active < this.concurrency && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      void this.runJob(job, this.handler);
    }
  }

  private async runJob(job: LocalJob<T>, handler: JobHandler<T>): Promise<void> {
    this.active++;
    job.state = 'active';
    const view: Job<T> = {
      id: job.id,
      name: job.name,
      data: job.data,
      attemptsMade: job.attemptsMade,
      updateProgress: async () => undefined,
    };
    try {
      await handler(view);
      this.jobs.delete(job.id);
    } catch (err) {
      job.attemptsMade++;
      this.onError(err, view);
      if (job.attemptsMade < job.attempts && !this.closed) {
        this.schedule(job, job.backoffMs * 2 ** (job.attemptsMade - 1));
      } else {
        this.jobs.delete(job.id);
      }
    } finally {
      this.active--;
      this.pump();
      if (this.active === 0) for (const f of this.idle) f();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.jobs.values()) if (j.timer) clearTimeout(j.timer);
    if (this.active > 0) await new Promise<void>((resolve) => this.idle.add(resolve));
    this.jobs.clear();
    this.waiting.length = 0;
  }
}

export class LocalQueueFactory implements QueueFactory {
  private readonly queues = new Map<string, LocalJobQueue<unknown>>();
  constructor(private readonly onError?: (err: unknown, job: Job<unknown>) => void) {}

  get<T>(name: string): JobQueue<T> {
    let q = this.queues.get(name);
    if (!q) {
      q = new LocalJobQueue<unknown>(name, this.onError);
      this.queues.set(name, q);
    }
    return q as JobQueue<T>;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}

export class BullJobQueue<T> implements JobQueue<T> {
  private readonly queue: Queue;
  private worker?: Worker;
  private workerConnection?: Redis;

  constructor(
    readonly name: string,
    private readonly connection: Redis,
    private readonly prefix: string,
    private readonly onError: (err: unknown, job: Job<T>) => void = () => undefined,
  ) {
    this.queue = new Queue(name, { connection, prefix });
  }

  async add(name: string, data: T, opts: JobOptions = {}): Promise<string> {
    const job = await this.queue.add(name, data, {
      jobId: opts.jobId,
      delay: opts.delayMs,
      attempts: opts.attempts ?? DEFAULTS.attempts,
      backoff: { type: 'exponential', delay: opts.backoffMs ?? DEFAULTS.backoffMs },
      // Completed jobs are removed so a jobId can be reused later (e.g. the next live session).
      removeOnComplete: true,
      removeOnFail: { age: 24 * 3600, count: 1000 },
    });
    return job.id!;
  }

  async remove(jobId: string): Promise<void> {
    const job = await this.queue.getJob(jobId);
    if (!job) return;
    const state = await job.getState();
    if (state === 'active') return;
    await job.remove();
  }

  async process(handler: JobHandler<T>, opts: ProcessOptions = {}): Promise<void> {
    if (this.worker) throw new Error(`queue ${this.name} already has a processor`);
    // Workers need their own blocking connection.
    const conn = this.connection.duplicate({ maxRetriesPerRequest: null });
    this.workerConnection = conn;
    this.worker = new Worker(
      this.name,
      async (job: BullJob) => {
        const view: Job<T> = {
          id: job.id!,
          name: job.name,
          data: job.data as T,
          attemptsMade: job.attemptsMade,
          updateProgress: (p) => job.updateProgress(p),
        };
        try {
          await handler(view);
        } catch (err) {
          this.onError(err, view);
          throw err;
        }
      },
      {
        connection: conn,
        prefix: this.prefix,
        concurrency: opts.concurrency ?? 1,
        // A worker killed with SIGKILL stops renewing its lock; another takes the job within ~lockDuration.
        lockDuration: 10_000,
        stalledInterval: 5_000,
        maxStalledCount: 3,
      },
    );
    this.worker.on('error', () => undefined);
    await this.worker.waitUntilReady();
  }

  async close(): Promise<void> {
    await this.worker?.close();
    // BullMQ does not close a connection it was given; this one is ours.
    this.workerConnection?.disconnect();
    await this.queue.close();
  }
}

export class BullQueueFactory implements QueueFactory {
  private readonly queues = new Map<string, BullJobQueue<unknown>>();
  constructor(
    private readonly connection: Redis,
    private readonly prefix = 'livecart',
    private readonly onError?: (err: unknown, job: Job<unknown>) => void,
  ) {}

  get<T>(name: string): JobQueue<T> {
    let q = this.queues.get(name);
    if (!q) {
      q = new BullJobQueue<unknown>(name, this.connection, this.prefix, this.onError);
      this.queues.set(name, q);
    }
    return q as JobQueue<T>;
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
