import { describe, expect, it } from 'vitest';
import { parseLoggedRequest } from './logged-request.js';

const messages = [{ role: 'user', content: 'Hi' }];

describe('parseLoggedRequest', () => {
  it('reads a wrapped line with usage, an ISO or ms timestamp, key and headers', () => {
    const line = JSON.stringify({
      ts: '2025-03-01T00:00:01Z',
      key_id: 'key_a',
      headers: { 'x-frugal-cache': 'ttl=60', 'x-frugal-task': 'code' },
      request: { model: 'gpt-4o', messages },
      usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15, prompt_tokens_details: { cached_tokens: 8 } },
    });
    expect(parseLoggedRequest(line, 7)).toEqual({
      line: 7,
      request: { model: 'gpt-4o', messages },
      usage: { promptTokens: 12, completionTokens: 3, cachedPromptTokens: 8 },
      ts: Date.UTC(2025, 2, 1, 0, 0, 1),
      keyId: 'key_a',
      cacheHeader: 'ttl=60',
      taskHint: 'code',
    });
    expect(parseLoggedRequest(JSON.stringify({ ts: 5, request: { model: 'm', messages }, response: { usage: { prompt_tokens: 4 } } }), 1)).toMatchObject({
      ts: 5,
      usage: { promptTokens: 4, completionTokens: undefined, cachedPromptTokens: 0 },
    });
  });

  it('takes a bare OpenAI request as a line with nothing known but the request', () => {
    expect(parseLoggedRequest(JSON.stringify({ model: 'gpt-4o', messages, temperature: 0 }), 2)).toEqual({
      line: 2, request: { model: 'gpt-4o', messages, temperature: 0 }, usage: undefined, ts: undefined, keyId: undefined, cacheHeader: undefined, taskHint: undefined,
    });
  });

  it('names the line of what it cannot read', () => {
    expect(() => parseLoggedRequest('{"model":', 3)).toThrow(/log line 3: not valid JSON/);
    expect(() => parseLoggedRequest('{"request": {"model": "m"}}', 4)).toThrow(/log line 4: expected an OpenAI chat request/);
    expect(() => parseLoggedRequest(JSON.stringify({ request: { model: 'm', messages }, usage: { prompt_tokens: -1 } }), 5)).toThrow(/line 5: usage.prompt_tokens/);
    expect(() => parseLoggedRequest(JSON.stringify({ request: { model: 'm', messages }, ts: 'yesterday' }), 6)).toThrow(/line 6: ts/);
  });
});
