import { describeProviderAdapterConformance } from '../provider-adapter.case.js';
import { createSimulatedAdapter } from './simulated-adapter.js';

// No upstream: nothing to fail or to report chosen usage, so those cases are skipped; the rest holds as for real ones.
describeProviderAdapterConformance('simulated', {
  async start() {
    return {
      adapter: createSimulatedAdapter({ name: 'sim' }),
      // One word a second: slow enough to abort before the answer or between two chunks.
      slowAdapter: createSimulatedAdapter({ name: 'sim', tokensPerSecond: 1 }),
      close: async () => {},
    };
  },
  model: 'simulated-model',
  slowStream: 'Stream slowly.',
});
