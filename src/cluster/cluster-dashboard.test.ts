import { afterAll, describe, expect, it } from 'vitest';
import type { CircuitState } from '../dashboard/circuit-states.js';
import type { SentAlert } from '../dashboard/recent-alerts.js';
import { clusterDashboardSnapshots, shareDashboardState } from './cluster-dashboard.js';
import { loopbackChannels } from './ipc-channel.js';
import { createIpcPeer } from './ipc-peer.js';

const alert = (scope: string, sentAt: string): SentAlert => ({ type: 'budget_threshold', text: `${scope} at 80 %`, scope, sentAt, payload: { scope } });

/** Two workers, each with what it saw itself, wired to the primary over in-process channels that copy as IPC does. */
function cluster(seen: Array<{ circuits: CircuitState[]; alerts: SentAlert[]; since: number }>) {
  const links = seen.map(() => loopbackChannels());
  const workers = links.map((link) => ({ peer: createIpcPeer(link.left), primarySide: createIpcPeer(link.right) }));
  for (const worker of workers) worker.primarySide.handle('dashboard.cluster', () => clusterDashboardSnapshots(workers.map((each) => each.primarySide)));
  const views = workers.map((worker, index) =>
    shareDashboardState(worker.peer)({
      circuits: { now: () => seen[index].circuits, close: () => undefined },
      alerts: { since: seen[index].since, list: () => seen[index].alerts, close: () => undefined },
    }),
  );
  return { views, close: () => links.forEach((link) => link.close()) };
}

describe('the dashboard across workers', () => {
  const made = cluster([
    {
      circuits: [
        { deployment: 'cheap', state: 'open', since: 2_000 },
        { deployment: 'strong', state: 'closed', since: 1_000 },
      ],
      alerts: [alert('key:vk_one', '2026-12-06T10:00:02.000Z')],
      since: 100,
    },
    {
      circuits: [
        { deployment: 'cheap', state: 'closed', since: 3_000 },
        { deployment: 'strong', state: 'half_open', since: 4_000 },
      ],
      alerts: [alert('global', '2026-12-06T10:00:03.000Z'), alert('team:growth', '2026-12-06T10:00:01.000Z')],
      since: 200,
    },
  ]);
  afterAll(() => made.close());

  it("shows every worker's alerts, newest first, whichever worker answers the page", async () => {
    for (const view of made.views) expect((await view.alerts.list()).map((sent) => sent.scope)).toEqual(['global', 'key:vk_one', 'team:growth']);
  });

  it('shows each deployment in the worst state any worker has it in', async () => {
    for (const view of made.views) {
      expect(await view.circuits.now()).toEqual([
        { deployment: 'cheap', state: 'open', since: 2_000 },
        { deployment: 'strong', state: 'half_open', since: 4_000 },
      ]);
    }
  });
});
