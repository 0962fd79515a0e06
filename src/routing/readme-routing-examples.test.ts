import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { buildRouteTable } from './build-route-table.js';

/** The README's Routing section is the first config a new user copies: every example in it must start as written. */
async function routingExamples(): Promise<string[]> {
  const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const start = readme.indexOf('\n## Routing\n');
  const end = readme.indexOf('\n## ', start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]);
}

describe('the README Routing section', () => {
  it('has examples, each a whole config whose every route target is defined', async () => {
    const examples = await routingExamples();
    expect(examples.length).toBeGreaterThan(0);
    const env = { OPENAI_API_KEY: 'sk-a', DEEPSEEK_API_KEY: 'sk-b', DASHSCOPE_API_KEY: 'sk-c' };
    for (const example of examples) {
      const config = validateConfig(parseYaml(example), { env, catalogOverride: [] });
      const table = buildRouteTable(config);
      for (const name of Object.keys(config.routes)) expect(table.routes.has(name)).toBe(true);
    }
  });

  it('load-balances over deployments the example itself defines', async () => {
    const [example] = await routingExamples();
    const env = { OPENAI_API_KEY: 'sk-a', DEEPSEEK_API_KEY: 'sk-b', DASHSCOPE_API_KEY: 'sk-c' };
    const table = buildRouteTable(validateConfig(parseYaml(example), { env, catalogOverride: [] }));
    expect(table.routes.get('local')?.models().map((model) => model.name)).toEqual(['vllm-a', 'vllm-b']);
  });
});
