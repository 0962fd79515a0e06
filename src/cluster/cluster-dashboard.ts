import type { CircuitState, CircuitStates } from '../dashboard/circuit-states.js';
import type { RecentAlerts, SentAlert } from '../dashboard/recent-alerts.js';
import { callEach, type IpcPeer } from './ipc-peer.js';

/** What one worker has seen since it started: its breakers' changes and the alerts it delivered. */
export interface DashboardSnapshot {
  circuits: CircuitState[];
  alerts: SentAlert[];
}

const WORST: Record<CircuitState['state'], number> = { closed: 0, half_open: 1, open: 2 };
const ALERTS_KEPT = 100;

/**
 * The dashboard's live state across workers. Each worker follows its own breakers and sends the alerts its requests
 * trigger; a page answered by one worker would show that worker's share only. Instead it asks the primary, which
 * gathers every worker's snapshot: a deployment shows the worst state any worker has it in (as /metrics does), and
 * the alerts are every worker's, newest first.
 */
export function shareDashboardState(primary: IpcPeer): (local: { circuits: CircuitStates; alerts: RecentAlerts }) => { circuits: CircuitStates; alerts: RecentAlerts } {
  return ({ circuits, alerts }) => {
    primary.handle('dashboard.snapshot', async (): Promise<DashboardSnapshot> => ({ circuits: await circuits.now(), alerts: await alerts.list() }));
    const gather = () => primary.call<DashboardSnapshot[]>('dashboard.cluster');
    return {
      circuits: { now: async () => worstCircuits(await gather()), close: () => circuits.close() },
      alerts: { since: alerts.since, list: async () => newestAlerts(await gather()), close: () => alerts.close() },
    };
  };
}

/** The primary's side: every worker's snapshot (one starting or dying is left out rather than failing the page). */
export function clusterDashboardSnapshots(workers: readonly IpcPeer[]): Promise<DashboardSnapshot[]> {
  return callEach<DashboardSnapshot>(workers, 'dashboard.snapshot');
}

export function worstCircuits(snapshots: readonly DashboardSnapshot[]): CircuitState[] {
  const worst = new Map<string, CircuitState>();
  for (const circuit of snapshots.flatMap((snapshot) => snapshot.circuits)) {
    const seen = worst.get(circuit.deployment);
    if (!seen || WORST[circuit.state] > WORST[seen.state] || (circuit.state === seen.state && circuit.since < seen.since)) worst.set(circuit.deployment, circuit);
  }
  return [...worst.values()].sort((a, b) => a.deployment.localeCompare(b.deployment));
}

export function newestAlerts(snapshots: readonly DashboardSnapshot[]): SentAlert[] {
  return snapshots
    .flatMap((snapshot) => snapshot.alerts)
    .sort((a, b) => b.sentAt.localeCompare(a.sentAt))
    .slice(0, ALERTS_KEPT);
}
