import { AggregatorRegistry, type Registry } from 'prom-client';
import { callEach, type IpcPeer } from './ipc-peer.js';

/**
 * /metrics across workers. Each worker counts what it served; a scrape lands on one of them, so on its own it would
 * see that worker's share only. Instead the worker that is scraped asks the primary, which gathers every worker's
 * metrics (as JSON) and sums them with prom-client's AggregatorRegistry: counters and histograms add up; gauges say
 * how they combine (`aggregator` where they are declared: circuit state is the worst, default metrics as
 * prom-client declares them).
 */
export function shareWorkerMetrics(primary: IpcPeer): (local: Registry) => () => Promise<string> {
  return (local) => {
    primary.handle('metrics.json', () => local.getMetricsAsJSON());
    return () => primary.call<string>('metrics.cluster');
  };
}

/** The primary's side: answers a worker's `metrics.cluster` with the sum over the workers that answer. */
export async function clusterMetricsText(workers: readonly IpcPeer[]): Promise<string> {
  // A worker starting or dying misses one scrape rather than failing it.
  return AggregatorRegistry.aggregate(await callEach<object[]>(workers, 'metrics.json')).metrics();
}
