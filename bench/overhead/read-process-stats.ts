import { readdir, readFile } from 'node:fs/promises';

/** Linux reports utime/stime in USER_HZ ticks, 100 per second on every mainstream architecture. */
const TICKS_PER_SECOND = 100;

/** VmRSS from /proc, in MB (2^20 bytes): the kernel's count, whatever the runtime thinks it holds. */
export async function readRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}

/** User + system CPU time the process has used so far, ms (10 ms resolution). */
export async function readCpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may itself contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) * 1000) / TICKS_PER_SECOND;
}

/**
 * CPU time of the process and every process below it, ms: a `server.workers` gateway is a primary and its workers.
 * Children are found through /proc/<pid>/task/<tid>/children (each thread lists the children it forked).
 */
export async function readTreeCpuMs(pid: number): Promise<number> {
  let total = await readCpuMs(pid).catch(() => 0);
  for (const child of await childPids(pid)) total += await readTreeCpuMs(child);
  return total;
}

async function childPids(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const lists = await Promise.all(tasks.map((task) => readFile(`/proc/${pid}/task/${task}/children`, 'utf8').catch(() => '')));
  return lists.flatMap((list) => list.split(' ').filter((field) => field.trim() !== '').map(Number));
}
