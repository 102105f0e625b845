import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
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

function which(cmd: string): string | undefined {
  if (cmd.includes('/')) return cmd;
  try {
    return execFileSync('sh', ['-c', `command -v "$0"`, cmd], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const wrappers = new Map<string, string>();

/**
 * ffmpeg through `setpriv --pdeathsig KILL` (util-linux) where there is one:
 * ffmpeg dies with the process that started it. A worker killed with SIGKILL
 * otherwise leaves its ffmpeg behind, still bound to its RTP ports and
 * waiting for packets forever (the SDP demuxer has no read timeout). The
 * wrapper is a two-line script, since fluent-ffmpeg spawns one executable.
 */
export function ffmpegExecutable(ffmpegPath = 'ffmpeg'): string {
  const known = wrappers.get(ffmpegPath);
  if (known) return known;
  let exe = ffmpegPath;
  const setpriv = process.platform === 'linux' ? which('setpriv') : undefined;
  const bin = which(ffmpegPath);
  if (setpriv && bin) {
    try {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'livecart-ffmpeg-'));
      const file = path.join(dir, 'ffmpeg');
      fs.writeFileSync(
        file,
        `#!/bin/sh\n# ffmpeg, killed when its parent dies (livecart media/hls/runner.ts)\nexec ${JSON.stringify(setpriv)} --pdeathsig KILL -- ${JSON.stringify(bin)} "$@"\n`,
        { mode: 0o755 },
      );
      exe = file;
    } catch {
      exe = ffmpegPath;
    }
  }
  wrappers.set(ffmpegPath, exe);
  return exe;
}

let warm: Promise<void> | undefined;

/**
 * fluent-ffmpeg checks the formats and encoders of ffmpeg (two ffmpeg runs)
 * before its first command in a process, then caches them: half a second or
 * more on a loaded machine. Done ahead (worker start, the transcode's RTP
 * set-up), the first transcode's ffmpeg spawns at once.
 */
export function warmUpFfmpeg(ffmpegPath?: string): Promise<void> {
  warm ??= new Promise<void>((resolve) => {
    ffmpeg().setFfmpegPath(ffmpegExecutable(ffmpegPath));
    ffmpeg.getAvailableFormats(() => ffmpeg.getAvailableEncoders(() => resolve()));
  });
  return warm;
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
  command.setFfmpegPath(ffmpegExecutable(opts.ffmpegPath));
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
  // Progress is read from ffmpeg's own status lines, not from fluent-ffmpeg's 'progress' event:
  // a listener of that event makes fluent-ffmpeg run ffprobe on the input, which on a listening
  // TCP input (an RTMP/SRT ingest's FLV) accepts the connection meant for ffmpeg, and on an SDP
  // input binds the RTP ports ffmpeg is about to bind.
  command.on('stderr', (line: string) => {
    tail.push(line);
    if (tail.length > TAIL) tail.shift();
    const speed = /speed=\s*([\d.]+)x/.exec(line);
    if (speed) progress.speed = Number(speed[1]);
    const frame = /frame=\s*(\d+)/.exec(line);
    const time = /time=\s*(-?\d+:\d+:\d+(?:\.\d+)?)/.exec(line);
    if (frame || time) {
      if (frame) progress.frames = Number(frame[1]);
      if (time) progress.mediaSeconds = timemarkSeconds(time[1]);
      opts.onProgress?.({ ...progress });
    }
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
