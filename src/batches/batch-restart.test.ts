import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import OpenAI, { toFile } from 'openai';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { killLeftovers, startServe } from '../testing/serve-child.js';

const KEY = 'sk-restart-test-0123456789abcdef';
const LINES = 40;
// Lines that can be in flight at one instant: concurrency × line_concurrency below.
const IN_FLIGHT = 2 * 3;

const config = (dataDir: string, upstream: string) => `
providers:
  up: { kind: openai, base_url: "${upstream}", api_key: "${KEY}" }
models:
  - { name: cheap-model, provider: up, price: { input: 1, output: 2 } }
cache: { enabled: false }
ledger: { data_dir: "${dataDir}", durability: spool, flush_interval_ms: 50 }
queue: { lease_ms: 1000 }
batches: { line_lease_ms: 1000, poll_interval_ms: 100, chunk_lines: 10, concurrency: 2, line_concurrency: 3 }
`;

const lineText = (index: number) => `Restart line ${index}`;
const jsonl = Array.from({ length: LINES }, (_, index) =>
  JSON.stringify({ custom_id: `r-${index}`, method: 'POST', url: '/v1/chat/completions', body: { model: 'cheap-model', messages: [{ role: 'user', content: lineText(index) }], max_tokens: 16 } }),
).join('\n');

function upstreamCounts(upstream: MockOpenAIServer): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of upstream.requests) {
    const messages = request.body?.messages as Array<{ content: string }> | undefined;
    const text = messages?.at(-1)?.content;
    if (typeof text === 'string') counts.set(text, (counts.get(text) ?? 0) + 1);
  }
  return counts;
}

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ledgerBatchRows(dataDir: string, batchId: string): Array<{ id: string; status: string; cost_nanos: number }> {
  const db = new Database(join(dataDir, 'ledger.sqlite'), { readonly: true });
  try {
    return db.prepare('select id, status, cost_nanos from frugal_ledger where batch_id = ?').all(batchId) as Array<{ id: string; status: string; cost_nanos: number }>;
  } finally {
    db.close();
  }
}

describe('a batch survives its instance: `frugal serve` stopped or killed mid-batch', { timeout: 90_000 }, () => {
  const dirs: string[] = [];
  afterEach(() => killLeftovers());
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  for (const how of ['SIGTERM', 'SIGKILL'] as const) {
    it(`${how}: the next instance finishes the batch, every line answered once in the output`, async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'frugal-batch-restart-'));
      dirs.push(dataDir);
      const upstream = await startMockOpenAIServer({ latencyMs: 120 });
      try {
        const first = await startServe(dataDir, config(dataDir, upstream.baseUrl));
        const client = (baseUrl: string) => new OpenAI({ baseURL: `${baseUrl}/v1`, apiKey: 'unused', maxRetries: 0 });
        const file = await client(first.baseUrl).files.create({ file: await toFile(Buffer.from(jsonl), 'restart.jsonl'), purpose: 'batch' });
        const created = await client(first.baseUrl).batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
        await waitFor(() => client(first.baseUrl).batches.retrieve(created.id), (batch) => (batch.request_counts?.completed ?? 0) >= 10);
        first.child.kill(how);
        await first.exited;
        const partial = new Map(upstreamCounts(upstream));
        expect(partial.size).toBeLessThan(LINES);

        const second = await startServe(dataDir, config(dataDir, upstream.baseUrl));
        const batch = await waitFor(() => client(second.baseUrl).batches.retrieve(created.id), (found) => found.status === 'completed');
        expect(batch.request_counts).toEqual({ total: LINES, completed: LINES, failed: 0 });
        const output = (await (await client(second.baseUrl).files.content(batch.output_file_id!)).text()).trimEnd().split('\n').map((text) => JSON.parse(text));
        // No line lost, none answered twice.
        expect(output.map((line) => line.custom_id)).toEqual(Array.from({ length: LINES }, (_, index) => `r-${index}`));
        // A line finished by the killed instance keeps its row with its result; the next instance records it once the
        // ledger, a couple of seconds on, still lacks it.
        await waitFor(async () => new Set(ledgerBatchRows(dataDir, created.id).map((row) => row.id)).size, (ids) => ids === LINES);
        second.child.kill('SIGTERM');
        await second.exited;

        const counts = upstreamCounts(upstream);
        expect(counts.size).toBe(LINES);
        const twice = [...counts.values()].filter((count) => count > 1).length;
        if (how === 'SIGTERM') {
          // A graceful stop lets running lines finish and hands the rest back: nothing is sent twice.
          expect(twice).toBe(0);
        } else {
          // kill -9 can land while a line's call is upstream: only such a line (never a finished one) is sent again.
          expect(twice).toBeLessThanOrEqual(IN_FLIGHT);
          for (const [text, count] of counts) if (count > 1) expect(partial.get(text)).toBe(1);
        }
        console.info(`${how}: ${partial.size} lines reached the upstream before the stop; ${twice} sent again after it`);
        // A row for every line (the spool keeps rows a killed instance acknowledged), under the line's fixed id.
        // Exactly one row per line, however the instance stopped: a line's row reaches the ledger only after its result
        // is stored with it, so no finished line runs again, and a row its instance never wrote is recorded once.
        const rows = ledgerBatchRows(dataDir, created.id);
        expect(rows.map((row) => row.id).sort()).toEqual(Array.from({ length: LINES }, (_, index) => `frg-${created.id}-${index + 1}`).sort());
        expect(rows.every((row) => row.status === 'ok' && row.cost_nanos > 0)).toBe(true);
      } finally {
        await upstream.close();
      }
    });
  }
});
