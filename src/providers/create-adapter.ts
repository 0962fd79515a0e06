import type { ProviderSettings } from '../config/gateway-config.js';
import { createAnthropicAdapter } from './anthropic/anthropic-adapter.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/openai-compatible-adapter.js';
import type { ProviderAdapter } from './provider-adapter.js';
import { createSimulatedAdapter } from './simulated/simulated-adapter.js';

/** One adapter per configured provider, created at start-up. */
export function createAdapter(settings: ProviderSettings): ProviderAdapter {
  switch (settings.kind) {
    case 'openai':
      return createOpenAICompatibleAdapter({
        name: settings.name,
        baseUrl: settings.baseUrl ?? 'https://api.openai.com/v1',
        apiKey: settings.apiKey,
        headers: settings.headers,
        connections: settings.connections,
        firstByteTimeoutMs: settings.firstByteTimeoutMs,
        timeoutMs: settings.timeoutMs,
      });
    case 'anthropic':
      return createAnthropicAdapter({
        name: settings.name,
        baseUrl: settings.baseUrl,
        apiKey: settings.apiKey,
        headers: settings.headers,
        defaultMaxTokens: settings.defaultMaxTokens,
        promptCachingMinTokens: settings.promptCachingMinTokens,
        connections: settings.connections,
        firstByteTimeoutMs: settings.firstByteTimeoutMs,
        timeoutMs: settings.timeoutMs,
      });
    case 'simulated':
      return createSimulatedAdapter({
        name: settings.name,
        ttftMs: settings.simulated.ttftMs,
        tokensPerSecond: settings.simulated.tokensPerSecond,
        outputTokens: settings.simulated.outputTokens,
      });
  }
}
