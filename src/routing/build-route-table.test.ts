import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { createGateway } from '../pipeline/create-gateway.js';
import { buildRouteTable } from './build-route-table.js';

const models = [
  { name: 'a', provider: 'sim', price: { input: 1, output: 1 } },
  { name: 'b', provider: 'sim', price: { input: 1, output: 1 } },
];
const table = (routes: Record<string, unknown>) => () => buildRouteTable(validateConfig({ providers: { sim: { kind: 'simulated' } }, models, routes }, { env: {} }));

describe('route table', () => {
  it('fails start-up naming the path of an unknown target, a bad field or a cycle', () => {
    expect(table({ r: { strategy: 'fallback', chain: ['a', 'nope'] } })).toThrow(/routes\.r\.chain\[1\]: 'nope' is neither a chat model nor a route/);
    expect(table({ r: { strategy: 'cascade', tiers: ['a'] } })).toThrow(/routes\.r\.tiers/);
    expect(table({ r: { strategy: 'teleport' } })).toThrow(/routes\.r/);
    expect(table({ x: { strategy: 'fallback', chain: ['y'] }, y: { strategy: 'fallback', chain: ['x'] } })).toThrow(/refers back to itself/);
    expect(table({ a: { strategy: 'fallback', chain: ['b'] } })).toThrow(/same name/);
    expect(table({ r: { strategy: 'cascade', tiers: ['a', 'b'], checks: [{ agree: { model: 'nope' } }] } })).toThrow(/routes\.r\.checks\[0\]\.agree\.model: 'nope' is not a chat model/);
    expect(table({ r: { strategy: 'cascade', tiers: ['a', 'b'], checks: ['aritmetic'] } })).toThrow(/routes\.r\.checks\[0\]/);
  });

  it('nests routes: a task may map to a cascade', () => {
    const built = table({ inner: { strategy: 'cascade', tiers: ['a', 'b'] }, outer: { strategy: 'map', tasks: { code: 'inner' }, default: 'a' } })();
    expect(built.routes.get('outer')?.models().map((model) => model.name).sort()).toEqual(['a', 'a', 'b']);
  });

  it('offers a built-in auto route over the configured catalog models in demo mode', async () => {
    const gateway = await createGateway({ env: {} });
    const reply = await gateway.chat({ model: 'auto', messages: [{ role: 'user', content: 'Translate "good morning" to French.' }] });
    expect(reply.context.routeTrace.join('>')).toBe('auto>classify:translate>qwen-mt-turbo');
    await gateway.close();
  });
});
