import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateConfig } from '../config/load-config.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { createGatewayFromConfig, type Gateway } from '../pipeline/create-gateway.js';
import { createSqliteJobQueue } from '../queue/sqlite-job-queue.js';
import type { JobQueue } from '../queue/job-queue.js';
import { createBatchService, type BatchService } from './batch-service.js';
import { createSqliteBatchStore } from './sqlite-batch-store.js';
import type { BatchStore } from './batch-store.js';

const chatLine = (customId: string) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: `Question ${customId}` }], max_tokens: 20 } });

async function* bytesOf(text: string): AsyncIterable<Uint8Array> {
  yield Buffer.from(text);
}

/**
 * The batch clock is the service's own (`now`), moved past the window while a line is running: its lease looks lapsed
 * to the expiry, as after a stall, with no waiting on real time.
 */
describe('a batch that expires while one of its lines runs in this process', () => {
  let dataDir: string;
  let gateway: Gateway;
  let store: BatchStore;
  let queue: JobQueue;
  let service: BatchService;
  const rows: LedgerRow[] = [];
  let skewMs = 0;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'frugal-expiry-running-'));
    const config = { providers: { sim: { kind: 'simulated', ttft_ms: 1_000 } }, models: [{ name: 'gpt-4o-mini', provider: 'sim', price: { input: 1, output: 2 } }], cache: { enabled: false }, ledger: { data_dir: dataDir } };
    gateway = createGatewayFromConfig(validateConfig(config, { env: {} }), { record: (row: LedgerRow) => rows.push(row) });
    store = createSqliteBatchStore({ path: join(dataDir, 'ledger.sqlite') });
    await store.migrate();
    queue = createSqliteJobQueue({ leaseMs: 5_000, pollMs: 25, retryDelayMs: 50, path: join(dataDir, 'queue.sqlite') });
    // The poller is driven by the test (pollOnce); one line at a time.
    const settings = { pollIntervalMs: 3_600_000, leaseMs: 2_000, chunkLines: 10, concurrency: 1, lineConcurrency: 1 };
    service = createBatchService({ store, gateway, queue, ledger: { record: (row: LedgerRow) => rows.push(row) }, settings, now: () => Date.now() + skewMs });
    await service.start();
  });
  afterAll(async () => {
    await service.stop();
    await queue.close();
    await store.close();
    await gateway.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('lets the running line finish into the output file: its call was made and billed, so it is not reported as never run', async () => {
    const file = await service.uploadFile('', 'lines.jsonl', 'batch', bytesOf(['r1', 'r2', 'r3'].map(chatLine).join('\n')));
    const created = await service.createBatch('', { keyId: null, key: null, tags: {} }, { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const deadline = Date.now() + 15_000;
    while ((await store.lines(created.id, 1, 1))[0].state !== 'running') {
      if (Date.now() > deadline) throw new Error('line 1 never started');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    skewMs = 25 * 3_600_000;
    await service.pollOnce();
    let batch = await service.retrieve(created.id, '');
    while (batch.status !== 'expired') {
      if (Date.now() > deadline) throw new Error(`batch still ${batch.status}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await service.pollOnce();
      batch = await service.retrieve(created.id, '');
    }
    expect(batch.request_counts).toEqual({ total: 3, completed: 1, failed: 2 });
    const [first] = await store.lines(created.id, 1, 1);
    expect(first.result?.ok).toBe(true);
    const own = rows.filter((row) => row.batchId === created.id);
    expect(own.map((row) => row.id)).toEqual([(first.result?.line.response as { request_id: string }).request_id]);
  });
});
