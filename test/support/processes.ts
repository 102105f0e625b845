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
