import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import { nextStepHint } from './next-step-hint.js';

const demo = validateConfig({}, { env: {}, catalogOverride: [] });

describe('the next step serve prints once it listens', () => {
  it('is the README Quickstart’s first curl, in demo mode on the embedded defaults', async () => {
    const readme = await readFile(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
    const quickstart = readme.slice(readme.indexOf('## Quickstart'), readme.indexOf('## What you get'));
    const curl = quickstart.split('\n').find((line) => line.startsWith('curl '));
    const hint = nextStepHint(demo, 'http://127.0.0.1:4000');
    expect(hint.startsWith(`try: ${curl}; answers are simulated`)).toBe(true);
  });

  it('reaches a wildcard bind on the loopback, and asks for a model the config serves', () => {
    const sim = validateConfig({ providers: { sim: { kind: 'simulated' } }, models: [{ name: 'house', provider: 'sim', price: { input: 1, output: 1 } }] }, { env: {}, catalogOverride: [] });
    const hint = nextStepHint(sim, 'http://0.0.0.0:8080');
    expect(hint).toContain('curl http://127.0.0.1:8080/v1/chat/completions ');
    expect(hint).toContain('"model":"house"');
    expect(hint).not.toContain('simulated until');
  });
});
