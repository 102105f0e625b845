import * as fs from 'node:fs';

/** Clock ticks a second in /proc's times (USER_HZ): 100 on Linux. */
const CLK_TCK = 100;

/**
 * The fields of `/proc/<pid>/stat` after the command name, which is in parentheses and may hold
 * spaces: [0] is the state (stat's 3rd field), [1] the parent, [11] and [12] user and system
 * time, [13] and [14] those of waited-for children. Throws when the process is gone.
 */
function statFields(pid: number): string[] {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** A process's parent's pid. Throws when the process is gone. */
export function parentOf(pid: number): number {
  return Number(statFields(pid)[1]);
}

/**
 * User plus system CPU seconds a process has used; with `children`, those of the children it has
 * waited for too (PostgreSQL's exited backends). Throws when the process is gone.
 */
export function cpuSeconds(pid: number, children = false): number {
  const f = statFields(pid);
  const ticks = Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
  return ticks / CLK_TCK;
}
