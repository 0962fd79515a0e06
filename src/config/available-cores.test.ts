import { describe, expect, it } from 'vitest';
import { autoWorkerCount, coresOfCpuQuota } from './available-cores.js';

describe('server.workers: auto', () => {
  it('starts no more workers than a container CPU limit allows, rounded up', () => {
    expect(autoWorkerCount({ parallelism: 64, cpuQuota: '200000 100000' })).toBe(2);
    expect(autoWorkerCount({ parallelism: 64, cpuQuota: '150000 100000' })).toBe(2);
    expect(autoWorkerCount({ parallelism: 64, cpuQuota: '25000 100000' })).toBe(1);
  });

  it('is one per core without a limit, and never above the 256 a number may ask for', () => {
    expect(autoWorkerCount({ parallelism: 8, cpuQuota: 'max 100000' })).toBe(8);
    expect(autoWorkerCount({ parallelism: 8, cpuQuota: undefined })).toBe(8);
    expect(autoWorkerCount({ parallelism: 512, cpuQuota: undefined })).toBe(256);
    expect(autoWorkerCount({ parallelism: 2, cpuQuota: '800000 100000' })).toBe(2);
  });

  it('reads cgroup v1 quotas too (-1: no limit)', () => {
    expect(coresOfCpuQuota('300000\n', '100000')).toBe(3);
    expect(coresOfCpuQuota('-1\n', '100000')).toBeUndefined();
  });
});
