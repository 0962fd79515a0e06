import { execFileSync, spawnSync } from 'node:child_process';
import OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { startTestGateway } from '../testing/start-test-gateway.js';

// Prometheus' own linter, from Debian's `prometheus` package (.ci/run installs it).
const promtool = spawnSync('promtool', ['--version']).status === 0;
if (!promtool && process.env.CI !== 'true') console.warn('SKIPPED promtool check metrics: promtool is not installed (apt install prometheus; it fails instead when CI=true).');

describe('/metrics', () => {
  it.runIf(promtool || process.env.CI === 'true')('passes `promtool check metrics` after real traffic', async () => {
    const frugal = await startTestGateway({
      providers: { sim: { kind: 'simulated' } },
      models: [{ name: 'a', provider: 'sim', price: { input: 1, output: 2 } }],
      routes: { cheap: { strategy: 'fallback', chain: ['a'] } },
    });
    try {
      const client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
      await client.chat.completions.create({ model: 'cheap', temperature: 0, messages: [{ role: 'user', content: 'hello' }] });
      await client.chat.completions.create({ model: 'cheap', temperature: 0, messages: [{ role: 'user', content: 'hello' }] });
      await client.chat.completions.create({ model: 'not-a-model', messages: [{ role: 'user', content: 'x' }] }).catch(() => undefined);
      await frugal.waitForRows(3);
      const text = await (await fetch(frugal.baseUrl.replace(/\/v1$/, '/metrics'))).text();
      expect(text).toContain('frugal_cache_hits_total{route="cheap",kind="exact"} 1');
      const checked = (() => {
        try {
          return execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
        } catch (error) {
          const failure = error as { stdout?: string; stderr?: string };
          return `FAILED\n${failure.stdout ?? ''}${failure.stderr ?? ''}`;
        }
      })();
      expect(checked).toBe('');
    } finally {
      await frugal.close();
    }
  });
});
