import { describe, expect, it } from 'vitest';
import { upstreamPeer } from './upstream-peer.js';

describe('upstream peer', () => {
  it('names an OpenAI-compatible upstream after its host, with the well-known GenAI provider names', () => {
    const cases: Array<[string, string]> = [
      ['https://api.openai.com/v1', 'openai'],
      ['https://my-team.openai.azure.com/openai/deployments/gpt-4o', 'azure.ai.openai'],
      ['https://bedrock-runtime.us-east-1.amazonaws.com/openai/v1', 'aws.bedrock'],
      ['https://generativelanguage.googleapis.com/v1beta/openai', 'gcp.gemini'],
      ['https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/l/endpoints/openapi', 'gcp.vertex_ai'],
      ['https://api.deepseek.com', 'deepseek'],
      ['https://api.groq.com/openai/v1', 'groq'],
      ['https://api.mistral.ai/v1', 'mistral_ai'],
      ['https://api.x.ai/v1', 'x_ai'],
      ['https://api.perplexity.ai', 'perplexity'],
      // A host we do not know speaks the OpenAI API: that is the flavour of its telemetry.
      ['http://vllm.internal:8000/v1', 'openai'],
      ['https://dashscope-intl.aliyuncs.com/compatible-mode/v1', 'openai'],
    ];
    for (const [baseUrl, provider] of cases) expect({ baseUrl, provider: upstreamPeer('openai', baseUrl).genAiProvider }).toEqual({ baseUrl, provider });
  });

  it('never takes a look-alike host for a known one', () => {
    expect(upstreamPeer('openai', 'https://api.openai.com.evil.example/v1').genAiProvider).toBe('openai');
    expect(upstreamPeer('openai', 'https://notapi.groq.com.example/v1').genAiProvider).toBe('openai');
    expect(upstreamPeer('openai', 'https://fakeapi.deepseek.com/v1').genAiProvider).toBe('openai');
  });

  it('names a Messages upstream anthropic wherever it is served', () => {
    expect(upstreamPeer('anthropic', 'https://api.anthropic.com/v1/messages').genAiProvider).toBe('anthropic');
    expect(upstreamPeer('anthropic', 'http://127.0.0.1:9999/v1/messages').genAiProvider).toBe('anthropic');
  });

  it('gives server.address and server.port, with the scheme default port when the URL has none', () => {
    expect(upstreamPeer('openai', 'https://api.openai.com/v1')).toMatchObject({ address: 'api.openai.com', port: 443 });
    expect(upstreamPeer('openai', 'http://ollama.local/v1')).toMatchObject({ address: 'ollama.local', port: 80 });
    expect(upstreamPeer('openai', 'http://[::1]:11434/v1')).toMatchObject({ address: '::1', port: 11434 });
    expect(upstreamPeer('openai', 'not a url')).toEqual({ genAiProvider: 'openai', address: undefined, port: undefined });
  });
});
