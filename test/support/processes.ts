import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

/** A TypeScript entry point of this repository running in its own Node process. */
export interface TsProcess {
  child: ChildProcess;
  /** All it has written to stdout and stderr so far. */
  output(): string;
  /** Resolves once it has exited. */
  exited: Promise<void>;
}

/**
 * Runs `script` (a path from the repository root: `src/main.ts`, `workers/main.ts`, …) through
 * ts-node in a child process, with `env` laid over this process's environment.
 */
export function spawnTs(script: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): TsProcess {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => (out += d.toString());
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output: () => out, exited };
}

/** The app's real entry point (`src/main.ts`) on the embedded default, as a user starts it. */
export interface EmbeddedApp extends TsProcess {
  /** http://127.0.0.1:PORT */
  base: string;
}

/**
 * Starts `src/main.ts` with no DATABASE_URL or REDIS_URL (so on the embedded
 * PostgreSQL of DATA_DIR), media off, on 127.0.0.1:`env.PORT`.
 */
export function startEmbeddedApp(env: Record<string, string>): EmbeddedApp {
  const app = spawnTs('src/main.ts', [], {
    DATABASE_URL: '',
    REDIS_URL: '',
    NODE_ENV: 'development',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    MEDIA_ENABLED: 'false',
    HLS_ENABLED: 'false',
    ...env,
  });
  return { ...app, base: `http://127.0.0.1:${env.PORT}` };
}

/** Resolves once `/health` answers 200; fails with the app's output if it exits first or `ms` pass. */
export async function waitHealthy(app: EmbeddedApp, ms = 120_000): Promise<void> {
  for (const t0 = Date.now(); Date.now() - t0 < ms;) {
    if (app.child.exitCode !== null) throw new Error(`app exited early:\n${app.output()}`);
    const ok = await fetch(`${app.base}/health`)
      .then((r) => r.status === 200)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`app did not become healthy:\n${app.output()}`);
}

/** SIGTERM, then waits for the exit (at once if it has exited). */
export async function stopProcess(p: TsProcess): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await p.exited;
}
