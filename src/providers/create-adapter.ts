import type { ProviderSettings } from '../config/gateway-config.js';
import { createAnthropicAdapter } from './anthropic/anthropic-adapter.js';
import type { UpstreamLimits } from './http/upstream-limits.js';
import { createOpenAICompatibleAdapter } from './openai-compatible/openai-compatible-adapter.js';
import type { ProviderAdapter } from './provider-adapter.js';
import { rememberSecrets } from './redact-secrets.js';
import { createSimulatedAdapter } from './simulated/simulated-adapter.js';

/** One adapter per configured provider, created at start-up. */
export function createAdapter(settings: ProviderSettings): ProviderAdapter {
  // Header values may be credentials too (Azure's api-key, a proxy's token): redacted like the key.
  rememberSecrets([settings.apiKey, ...Object.values(settings.headers)]);
  const limits: Partial<UpstreamLimits> = {};
  if (settings.maxResponseBytes !== undefined) limits.maxResponseBytes = settings.maxResponseBytes;
  if (settings.maxStreamEvents !== undefined) limits.maxStreamEvents = settings.maxStreamEvents;
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
        limits,
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
        limits,
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
