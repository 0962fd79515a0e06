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
    expect(table({ r: { strategy: 'fallback', chain: ['a', 'nope'] } })).toThrow(/routes\.r\.chain\[1\]: no model or route named 'nope' is defined/);
    expect(table({ r: { strategy: 'cascade', tiers: ['a'] } })).toThrow(/routes\.r\.tiers/);
    expect(table({ r: { strategy: 'teleport' } })).toThrow(/routes\.r/);
    expect(table({ x: { strategy: 'fallback', chain: ['y'] }, y: { strategy: 'fallback', chain: ['x'] } })).toThrow(/refers back to itself/);
    expect(table({ a: { strategy: 'fallback', chain: ['b'] } })).toThrow(/same name/);
    expect(table({ r: { strategy: 'cascade', tiers: ['a', 'b'], checks: [{ agree: { model: 'nope' } }] } })).toThrow(/routes\.r\.checks\[0\]\.agree\.model: no model named 'nope' is defined/);
    expect(table({ r: { strategy: 'cascade', tiers: ['a', 'b'], checks: ['aritmetic'] } })).toThrow(/routes\.r\.checks\[0\]/);
  });

  it('says a target nothing defines is not defined, with the nearest names and where models come from, wherever a route names a model', () => {
    const models = [
      { name: 'vllm-1', provider: 'sim', price: { input: 1, output: 1 } },
      { name: 'embedder', provider: 'sim', type: 'embedding', price: { input: 1, output: 0 } },
    ];
    const refusal = (routes: Record<string, unknown>) => {
      try {
        buildRouteTable(validateConfig({ providers: { sim: { kind: 'simulated' } }, models, routes }, { env: {}, catalogOverride: [] }));
      } catch (error) {
        expect(error).toMatchObject({ code: 'config_invalid' });
        return (error as Error).message;
      }
      throw new Error('expected the route to be refused');
    };
    const undefinedNames = [
      [{ fast: { strategy: 'fallback', chain: ['vllm-1', 'vllm-a'] } }, "routes.fast.chain[1]: no model or route named 'vllm-a' is defined (nearest: vllm-1)"],
      [{ fast: { strategy: 'loadbalance', deployments: [{ model: 'vllm-a' }] } }, "routes.fast.deployments[0].model: no model named 'vllm-a' is defined (nearest: vllm-1)"],
      [{ fast: { strategy: 'map', tasks: {}, default: 'vllm-1', classifier: { model: 'vllm-a' } } }, "routes.fast.classifier.model: no model named 'vllm-a' is defined (nearest: vllm-1)"],
      [{ fast: { strategy: 'cascade', tiers: ['vllm-1', 'fats'] }, fats2: { strategy: 'fallback', chain: ['vllm-1'] } }, "routes.fast.tiers[1]: no model or route named 'fats' is defined (nearest: fats2, fast)"],
    ] as const;
    for (const [routes, message] of undefinedNames) {
      const refused = refusal(routes);
      expect(refused).toContain(message);
      expect(refused).toContain('models are defined under models:');
      expect(refused).not.toContain('not a chat model');
    }
    expect(refusal({ fast: { strategy: 'fallback', chain: ['qwen7'] } })).not.toContain('nearest');
    // Defined, but not a chat model: that is what the error still says.
    expect(refusal({ fast: { strategy: 'fallback', chain: ['embedder'] } })).toBe("Invalid config: routes.fast.chain[0]: 'embedder' is not a chat model (it is an embedding model; a route needs a chat model)");
    expect(refusal({ fast: { strategy: 'loadbalance', deployments: [{ model: 'embedder' }] } })).toContain("routes.fast.deployments[0].model: 'embedder' is not a chat model");
    // A catalog model whose provider is not configured is not served: say which provider to add.
    expect(refusal({ fast: { strategy: 'fallback', chain: ['gpt-4o'] } })).toContain("routes.fast.chain[0]: 'gpt-4o' is a built-in catalog model, but its provider 'openai' is not configured");
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
