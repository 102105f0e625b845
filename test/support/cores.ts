import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parentOf } from './procfs';

/**
 * Where the server runs beside a client under measurement, for a bench that asks how much of a
 * browser's figure is the server's load on a machine that runs both. The server is this process
 * (the app, the headless WHIP publisher) and its children (the mediasoup worker, ffmpeg); it can
 * give the client CPUs of its own (affinity) or yield to it (nice).
 */

/** The CPUs this process may run on, as numbers (`Cpus_allowed_list` of /proc/self/status). */
function allowedCpus(): number[] {
  const line = /^Cpus_allowed_list:\s*(\S+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  if (!line) return [];
  return line[1].split(',').flatMap((range) => {
    const [from, to = from] = range.split('-').map(Number);
    return Array.from({ length: to - from + 1 }, (_, i) => from + i);
  });
}

/** Two disjoint CPU lists in taskset's form: the server's (the lower half) and the client's. */
export interface CoreSplit {
  server: string;
  client: string;
}

/** The split of this process's CPUs, or undefined with fewer than two or no `taskset` (util-linux). */
export function splitCores(): CoreSplit | undefined {
  const cpus = allowedCpus();
  if (cpus.length < 2 || !hasTaskset()) return undefined;
  const half = Math.floor(cpus.length / 2);
  return { server: cpus.slice(0, half).join(','), client: cpus.slice(half).join(',') };
}

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** `pid` and every process below it, from /proc. */
function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let ppid: number;
    try {
      ppid = parentOf(Number(entry));
    } catch {
      continue; // exited while the tree was read
    }
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const tree: number[] = [];
  const walk = (p: number) => {
    tree.push(p);
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return tree;
}

/**
 * Moves every thread of `pid` and its descendants to `cpus`; processes they start later inherit
 * it. A process that exits meanwhile is skipped.
 */
function pinProcessTree(pid: number, cpus: string): void {
  for (const p of processTree(pid)) {
    try {
      execFileSync('taskset', ['-a', '-p', '-c', cpus, String(p)], { stdio: 'ignore' });
    } catch {
      // gone already
    }
  }
}

/**
 * Runs `measure` with this process's tree (the server) on `split.server`, handing it
 * `split.client` for the client it starts (`taskset -c <client> …`); puts the tree back on every
 * CPU after.
 */
export async function withServerOffClientCores<T>(
  split: CoreSplit,
  measure: (clientCpus: string) => Promise<T>,
): Promise<T> {
  const all = allowedCpus().join(',');
  pinProcessTree(process.pid, split.server);
  try {
    return await measure(split.client);
  } finally {
    pinProcessTree(process.pid, all);
  }
}

/** Every thread of `pid` and its descendants (each thread has its own nice value on Linux). */
function threadsOfTree(pid: number): number[] {
  return processTree(pid).flatMap((p) => {
    try {
      return fs.readdirSync(`/proc/${p}/task`).map(Number);
    } catch {
      return [];
    }
  });
}

/**
 * Sets the nice value of every thread of `pid`'s tree (Linux keeps one per thread: setpriority on
 * a thread id); threads and processes started later inherit it. A thread that exits meanwhile is
 * skipped; lowering a nice value needs root (CAP_SYS_NICE), and its refusal is thrown.
 */
function reniceProcessTree(pid: number, nice: number): void {
  for (const tid of threadsOfTree(pid)) {
    try {
      os.setPriority(tid, nice);
    } catch (e) {
      // os.setPriority throws a SystemError whose `info.code` is the errno's name.
      if ((e as { info?: { code?: string } }).info?.code !== 'ESRCH') throw e;
    }
  }
}

/** Runs `measure` with this process's tree at nice 19 (it yields the CPUs to anything else), then back. */
export async function withServerNiced<T>(measure: () => Promise<T>): Promise<T> {
  const before = os.getPriority(process.pid);
  reniceProcessTree(process.pid, 19);
  try {
    return await measure();
  } finally {
    reniceProcessTree(process.pid, before);
  }
}
