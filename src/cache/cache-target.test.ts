import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { cacheTarget } from './cache-target.js';

type Overrides = { upstream?: string; price?: number; baseUrl?: string; apiKey?: string; chain?: string[] };

function configWith({ upstream = 'gpt-4o-mini', price = 1, baseUrl = 'http://127.0.0.1:9/v1', apiKey = 'sk-one', chain = ['a', 'b'] }: Overrides = {}) {
  return validateConfig(
    {
      providers: { up: { kind: 'openai', base_url: baseUrl, api_key: apiKey } },
      models: [
        { name: 'a', provider: 'up', upstream, price: { input: price, output: 2 } },
        { name: 'b', provider: 'up', upstream: 'other', price: { input: 1, output: 2 } },
      ],
      routes: { inner: { strategy: 'fallback', chain }, outer: { strategy: 'fallback', chain: ['inner'] } },
    },
    { env: {} },
  );
}

const targetOf = (name: string, overrides: Overrides = {}) => {
  const config = configWith(overrides);
  return cacheTarget(config, name, (route) => config.routes[route]);
};

describe('cacheTarget', () => {
  it('changes when the model is served by another upstream id or provider endpoint', () => {
    expect(targetOf('a', { upstream: 'gpt-4o' })).not.toBe(targetOf('a'));
    expect(targetOf('a', { baseUrl: 'http://127.0.0.1:10/v1' })).not.toBe(targetOf('a'));
  });

  it('changes when a route, or a route it follows, is served by other models', () => {
    expect(targetOf('inner', { chain: ['b'] })).not.toBe(targetOf('inner'));
    expect(targetOf('outer', { chain: ['b'] })).not.toBe(targetOf('outer'));
    expect(targetOf('outer', { upstream: 'gpt-4o' })).not.toBe(targetOf('outer'));
  });

  it('stays the same when only prices, credentials or unrelated models change', () => {
    expect(targetOf('a', { price: 5 })).toBe(targetOf('a'));
    expect(targetOf('a', { apiKey: 'sk-two' })).toBe(targetOf('a'));
    expect(targetOf('b', { upstream: 'gpt-4o' })).toBe(targetOf('b'));
  });

  it('is a digest: no upstream id, URL or credential is readable in it', () => {
    const target = targetOf('outer');
    expect(target).toMatch(/^[0-9a-f]{64}$/);
  });
});
