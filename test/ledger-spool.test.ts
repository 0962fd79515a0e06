import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chatBody, killLeftovers, ledgerRows, startServe } from '../src/testing/serve-child.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

/** Clients that send requests back to back until stopped, noting each one whose reply completed. */
function load(baseUrl: string, clients: number) {
  const acknowledged: string[] = [];
  let stopped = false;
  let next = 0;
  const client = async (index: number) => {
    while (!stopped) {
      const id = `req-${next++}`;
      const stream = index % 3 === 0;
      try {
        const response = await fetch(`${baseUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: chatBody('fast-model', stream) });
        const text = await response.text();
        // Acknowledged: a complete JSON answer, or a stream that reached [DONE].
        if (response.status === 200 && (stream ? text.includes('data: [DONE]') : JSON.parse(text).choices)) acknowledged.push(id);
      } catch {
        // The gateway died under this request: never acknowledged.
      }
    }
  };
  const running = Array.from({ length: clients }, (_, index) => client(index));
  return {
    acknowledged,
    sent: () => next,
    async stop() {
      stopped = true;
      await Promise.all(running);
    },
  };
}

describe('ledger.durability: spool', () => {
  it('keeps every acknowledged request through kill -9: exactly one row each after the restart', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-spool-'));
    dirs.push(dataDir);
    // A flush interval and a batch far beyond the test: before the kill no row reaches SQLite, only the spool.
    const config = `
providers:
  fast: { kind: simulated, ttft_ms: 0, tokens_per_second: 2000, output_tokens: 8 }
models:
  - { name: fast-model, provider: fast, price: { input: 1, output: 2 } }
ledger: { data_dir: "${dataDir}", durability: spool, flush_interval_ms: 600000, batch_size: 5000 }
`;
    const first = await startServe(dataDir, config);
    const traffic = load(first.baseUrl, 12);
    while (traffic.acknowledged.length < 150) await new Promise((resolve) => setTimeout(resolve, 10));
    first.child.kill('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    await traffic.stop();
    const acknowledged = [...traffic.acknowledged];
    // Without the spool every one of them would be lost.
    expect(ledgerRows(dataDir)).toEqual([]);

    const second = await startServe(dataDir, config);
    expect(second.output()).toContain('ledger spool replayed');
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });

    const counts = new Map<string, number>();
    for (const row of ledgerRows(dataDir)) counts.set(row.id, (counts.get(row.id) ?? 0) + 1);
    for (const id of acknowledged) expect(counts.get(id), `rows for acknowledged ${id}`).toBe(1);
    // Nothing is written twice, acknowledged or not (a request cut by the kill may have a row or none).
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    // A clean stop leaves nothing to replay.
    expect((await readdir(join(dataDir, 'spool'))).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
  }, 90_000);
});
