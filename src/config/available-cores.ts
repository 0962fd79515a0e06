import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** Where Linux states a container's CPU limit: cgroup v2, then v1 (quota and period, µs). */
const CGROUP_V2_CPU_MAX = '/sys/fs/cgroup/cpu.max';
const CGROUP_V1_DIRS = ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct'];

/** The most `auto` starts, as for a number (server.workers' schema). */
const MAX_WORKERS = 256;

/**
 * Cores a CPU quota allows, rounded up: `cpu.max` text ("200000 100000" → 2, "150000 100000" → 2), or a v1 quota
 * and period; undefined when there is no limit ("max", a quota of -1) or the text is not one.
 */
export function coresOfCpuQuota(quota: string, period?: string): number | undefined {
  const [quotaText, periodText = period] = quota.trim().split(/\s+/);
  const quotaUs = Number(quotaText);
  const periodUs = Number(periodText);
  if (!Number.isFinite(quotaUs) || quotaUs <= 0 || !Number.isFinite(periodUs) || periodUs <= 0) return undefined;
  return Math.max(1, Math.ceil(quotaUs / periodUs));
}

/**
 * `server.workers: auto` / `--workers auto`: one worker per core this process may use. Node's
 * availableParallelism() (libuv 1.46, Node 20) sees the host's cores and the CPU affinity, not a container's CPU
 * limit: a pod limited to 2 CPUs on a 64-core node would fork 64 workers fighting over 2 CPUs (and 64 times the
 * memory). So the cgroup quota, when there is one, caps it.
 *
 * @example
 * autoWorkerCount({ parallelism: 64, cpuQuota: '200000 100000' }); // 2
 */
export function autoWorkerCount({ parallelism = availableParallelism(), cpuQuota = readCpuQuota() }: { parallelism?: number; cpuQuota?: number | string | undefined } = {}): number {
  const quotaCores = typeof cpuQuota === 'string' ? coresOfCpuQuota(cpuQuota) : cpuQuota;
  return Math.max(1, Math.min(parallelism, quotaCores ?? parallelism, MAX_WORKERS));
}

/** The container's CPU limit in cores, or undefined (none, or not Linux). Read once at start-up. */
function readCpuQuota(): number | undefined {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const v2 = read(CGROUP_V2_CPU_MAX);
  if (v2 !== undefined) return coresOfCpuQuota(v2);
  for (const dir of CGROUP_V1_DIRS) {
    const quota = read(`${dir}/cpu.cfs_quota_us`);
    const period = read(`${dir}/cpu.cfs_period_us`);
    if (quota !== undefined && period !== undefined) return coresOfCpuQuota(quota, period.trim());
  }
  return undefined;
}
