import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { describeProviderAdapterConformance } from '../provider-adapter.case.js';
import { createOpenAICompatibleAdapter } from './openai-compatible-adapter.js';

const API_KEY = 'sk-conformance-openai-key-0123456789';
let mock: MockOpenAIServer;

describeProviderAdapterConformance('openai-compatible', {
  async start() {
    mock = await startMockOpenAIServer();
    const adapter = createOpenAICompatibleAdapter({ name: 'mock', baseUrl: mock.baseUrl, apiKey: API_KEY });
    return { adapter, close: async () => (await adapter.close(), await mock.close()) };
  },
  model: 'gpt-4o-mini',
  apiKey: API_KEY,
  toolArguments: { location: 'Paris', unit: 'celsius' },
  text: (text) => `[[mock:content=${text}]]`,
  usage: {
    message: '[[mock:cached_tokens=3]] usage please',
    expected: (id) => {
      const sent = mock.usageSent.get(id)!;
      return { promptTokens: sent.prompt_tokens, completionTokens: sent.completion_tokens, cachedPromptTokens: 3, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false };
    },
  },
  httpError: (status, { retryAfterSeconds, quoteKey }) => `[[mock:status=${status}${retryAfterSeconds === undefined ? '' : `,retry_after=${retryAfterSeconds}`}${quoteKey ? ',echo_key' : ''}]]`,
  hang: '[[mock:hang]]',
  slowStream: '[[mock:stall_after=2]]',
});
