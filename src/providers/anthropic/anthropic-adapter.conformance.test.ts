import { startMockAnthropicServer, type MockAnthropicScenario } from '../../testing/mock-anthropic-server.js';
import { describeProviderAdapterConformance } from '../provider-adapter.case.js';
import { createAnthropicAdapter } from './anthropic-adapter.js';

const API_KEY = 'sk-ant-api03-conformance-key-0123456789';
const scenario = (played: MockAnthropicScenario) => `[[mock:${JSON.stringify(played)}]]`;

describeProviderAdapterConformance('anthropic', {
  async start() {
    const mock = await startMockAnthropicServer({ apiKey: API_KEY });
    const adapter = createAnthropicAdapter({ name: 'claude', baseUrl: mock.url, apiKey: API_KEY });
    return { adapter, close: async () => (await adapter.close(), await mock.close()) };
  },
  model: 'claude-haiku-4-5',
  apiKey: API_KEY,
  toolArguments: { location: 'Paris', unit: 'celsius' },
  text: (text) => scenario({ text }),
  // Anthropic's input_tokens excludes the cache; the pipeline's promptTokens includes reads and writes.
  usage: {
    message: scenario({ text: 'cached answer', usage: { input_tokens: 40, output_tokens: 7, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 } }),
    expected: () => ({ promptTokens: 160, completionTokens: 7, cachedPromptTokens: 100, cacheCreationTokens: 20, reasoningTokens: 0, estimated: false }),
  },
  httpError: (status, { retryAfterSeconds, quoteKey }) =>
    scenario({ error: { status, ...(retryAfterSeconds === undefined ? {} : { retryAfter: String(retryAfterSeconds) }), ...(quoteKey ? { message: `invalid x-api-key ${API_KEY}` } : {}) } }),
  hang: scenario({ hang: true }),
  slowStream: scenario({ text: 'one two three four five six', eventGapMs: 500 }),
});
