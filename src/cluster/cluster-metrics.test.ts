import { execFileSync, spawnSync } from 'node:child_process';
import type { Counter, Gauge } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../telemetry/prometheus-metrics.js';
import { clusterMetricsText, shareWorkerMetrics } from './cluster-metrics.js';
import { loopbackChannels } from './ipc-channel.js';
import { createIpcPeer } from './ipc-peer.js';

const promtool = spawnSync('promtool', ['--version']).status === 0;

/** Two workers' registries, each wired to the primary over an in-process channel that copies messages as IPC does. */
function cluster() {
  const links = [loopbackChannels(), loopbackChannels()];
  const workers = links.map((link) => ({ metrics: createPrometheusMetrics(), peer: createIpcPeer(link.left), primarySide: createIpcPeer(link.right) }));
  for (const worker of workers) worker.primarySide.handle('metrics.cluster', () => clusterMetricsText(workers.map((each) => each.primarySide)));
  const renders = workers.map((worker) => shareWorkerMetrics(worker.peer)(worker.metrics.registry));
  return { workers, renders, close: () => links.forEach((link) => link.close()) };
}

const value = (text: string, series: string) => Number(new RegExp(`^${series.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

describe('/metrics across workers', () => {
  const made = cluster();
  afterAll(() => made.close());

  it('sums counters and histograms over every worker, whichever worker is scraped, and shows the worst circuit', async () => {
    const [one, two] = made.workers.map((worker) => worker.metrics.registry);
    (one.getSingleMetric('frugal_requests_total') as Counter).inc({ model: 'other', provider: 'other', status: 'ok' }, 3);
    (two.getSingleMetric('frugal_requests_total') as Counter).inc({ model: 'other', provider: 'other', status: 'ok' }, 4);
    (two.getSingleMetric('frugal_requests_total') as Counter).inc({ model: 'other', provider: 'other', status: 'error' }, 1);
    (one.getSingleMetric('frugal_circuit_state') as Gauge).set({ deployment: 'other' }, 0);
    (two.getSingleMetric('frugal_circuit_state') as Gauge).set({ deployment: 'other' }, 2);
    const texts = await Promise.all(made.renders.map((render) => render()));
    // Process metrics move between two scrapes; the gateway's own are the same from either worker.
    for (const text of texts) {
      expect(value(text, 'frugal_requests_total{model="other",provider="other",status="ok"}')).toBe(7);
      expect(value(text, 'frugal_requests_total{model="other",provider="other",status="error"}')).toBe(1);
      expect(value(text, 'frugal_circuit_state{deployment="other"}')).toBe(2);
    }
  });

  it.runIf(promtool || process.env.CI === 'true')('the summed exposition passes `promtool check metrics`', async () => {
    const text = await made.renders[0]();
    let checked = '';
    try {
      checked = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (error) {
      const failure = error as { stdout?: string; stderr?: string };
      checked = `FAILED\n${failure.stdout ?? ''}${failure.stderr ?? ''}`;
    }
    expect(checked).toBe('');
  });
});
