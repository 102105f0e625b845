import ffmpeg from 'fluent-ffmpeg';
import type { FfmpegCommand } from './ladder';

export interface FfmpegProgress {
  frames: number;
  /** Seconds of output media written so far. */
  mediaSeconds: number;
  /** Encode speed relative to real time (1 = real time), from ffmpeg's own report. */
  speed: number;
}

export interface FfmpegExit {
  code: number | null;
  signal: string | null;
  /** True when we asked ffmpeg to stop (stream ended). */
  requested: boolean;
  /** The last lines of stderr, for the job's failure reason. */
  stderrTail: string[];
}

/** A running ffmpeg: its progress, its exit, and a clean stop. */
export interface FfmpegProcess {
  readonly pid?: number;
  readonly progress: FfmpegProgress;
  readonly exited: Promise<FfmpegExit>;
  /** Asks ffmpeg to finish (SIGINT: it flushes its outputs); SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<FfmpegExit>;
  /** Kills at once (tests, shutdown). */
  kill(): void;
}

const TAIL = 30;

function timemarkSeconds(mark: string): number {
  const m = /^(-?\d+):(\d+):(\d+(?:\.\d+)?)$/.exec(mark);
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : 0;
}

/** Starts ffmpeg through fluent-ffmpeg with the arguments `buildFfmpegCommand` made. */
export function startFfmpeg(
  cmd: FfmpegCommand,
  opts: {
    ffmpegPath?: string;
    onProgress?: (p: FfmpegProgress) => void;
    onStart?: (argv: string) => void;
  } = {},
): FfmpegProcess {
  const command = ffmpeg();
  if (opts.ffmpegPath) command.setFfmpegPath(opts.ffmpegPath);
  command.input(cmd.input).inputOptions(['-hide_banner', ...cmd.inputArgs]);
  // The global filter graph rides with the first output (ffmpeg reads global options anywhere).
  cmd.outputs.forEach((o, i) =>
    command
      .output(o.path)
      .outputOptions(i === 0 ? ['-filter_complex', cmd.filterComplex, ...o.args] : o.args),
  );
  const progress: FfmpegProgress = { frames: 0, mediaSeconds: 0, speed: 0 };
  const tail: string[] = [];
  let requested = false;
  let exit: FfmpegExit | undefined;
  let resolveExit!: (e: FfmpegExit) => void;
  const exited = new Promise<FfmpegExit>((r) => (resolveExit = r));
  const finish = (code: number | null, signal: string | null) => {
    if (exit) return;
    exit = { code, signal, requested, stderrTail: tail.slice() };
    resolveExit(exit);
  };
  // fluent-ffmpeg spawns after an asynchronous capability check: the process exists from 'start' on.
  let pid: number | undefined;
  let pendingSignal: string | undefined;
  const signal = (sig: string) => {
    if (exit) return;
    if (pid === undefined) pendingSignal = sig;
    else command.kill(sig);
  };
  command.on('start', (line: string) => {
    pid = (command as unknown as { ffmpegProc?: { pid?: number } }).ffmpegProc?.pid;
    opts.onStart?.(line);
    if (pendingSignal) command.kill(pendingSignal);
  });
  command.on('stderr', (line: string) => {
    tail.push(line);
    if (tail.length > TAIL) tail.shift();
    const speed = /speed=\s*([\d.]+)x/.exec(line);
    if (speed) progress.speed = Number(speed[1]);
  });
  command.on('progress', (p: { frames?: number; timemark?: string }) => {
    progress.frames = p.frames ?? progress.frames;
    if (p.timemark) progress.mediaSeconds = timemarkSeconds(p.timemark);
    opts.onProgress?.({ ...progress });
  });
  command.on('end', () => finish(0, null));
  command.on('error', (err: Error) => {
    const sig = /signal (\w+)/.exec(err.message)?.[1] ?? null;
    const code = /code (\d+)/.exec(err.message)?.[1];
    finish(code === undefined ? null : Number(code), sig);
  });
  command.run();
  return {
    get pid() {
      return pid;
    },
    progress,
    exited,
    async stop(graceMs = 5000) {
      if (exit) return exit;
      requested = true;
      signal('SIGINT');
      const timer = setTimeout(() => signal('SIGKILL'), graceMs);
      const e = await exited;
      clearTimeout(timer);
      return e;
    },
    kill() {
      signal('SIGKILL');
    },
  };
}
