import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FeedbackStore, NewFeedback } from '../feedback/feedback-store.js';
import { scoredWorkload } from '../feedback/feedback-store.case.js';
import { openFeedbackStore } from '../feedback/open-feedback-store.js';
import { formatQualityTable, joinQuality } from '../feedback/quality-report.js';
import { WORKLOAD_START } from '../ledger/ledger-store.case.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { createPostgresLedgerStore } from '../ledger/postgres-ledger-store.js';
import { formatUsd } from '../ledger/report-format.js';
import { createSqliteLedgerStore } from '../ledger/sqlite-ledger-store.js';
import { startMockOpenAIServer } from '../testing/mock-openai-server.js';
import { startFeedbackGateway } from '../testing/start-feedback-gateway.js';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { registerReportCommand } from './report-command.js';

const HOUR = 3_600_000;
const score = (requestId: string, hours: number, value: number, name = 'default'): NewFeedback => ({
  requestId, requestTs: WORKLOAD_START + hours * HOUR, name, score: value, comment: null, source: 'user', scoredBy: null, metadata: null,
});

/**
 * gpt-4o-mini: a1 (1, then updated to 0), a2 1, a3 1, a4 unscored; spend 1 000 + 2 000 + 3 000 + 4 000 nano-dollars.
 * gpt-4o: b1 0.5, b2 0.9 and the reused id a2 (hour 48) 0.2; spend 50 000 + 60 000 + 70 000.
 */
async function plant(ledger: LedgerStore, feedback: FeedbackStore) {
  await ledger.migrate();
  await ledger.insert(scoredWorkload());
  for (const entry of [score('a1', 0, 1), score('a1', 0, 0), score('a2', 1, 1), score('a3', 2, 1), score('b1', 4, 0.5), score('b2', 5, 0.9), score('a2', 48, 0.2), score('a3', 2, 0.3, 'correct')]) {
    await feedback.add(entry);
  }
}

/** The hand-computed table by model: the numbers every backend must print. */
const EXPECTED_BY_MODEL = [
  // 0.5, 0.9, 0.2: mean 0.533, t(2) = 4.303 → [−0.339, 1.406], clipped to [0, 1].
  ['gpt-4o', '3', '0.000180', '3', '0.533', '0.000', '1.000', 't'],
  // 3 thumbs, 2 up: Wilson(2, 3) = [0.2077, 0.9385].
  ['gpt-4o-mini', '4', '0.000010', '3', '0.667', '0.208', '0.939', 'wilson'],
];
// Pooled: 0, 1, 1, 0.5, 0.9, 0.2: mean 0.6, s² = 0.188, t(5) = 2.570582 → [0.145, 1.055 clipped to 1].
const EXPECTED_TOTAL = ['TOTAL', '7', '0.000190', '6', '0.600', '0.145', '1.000', 't'];

const cells = (line: string | undefined) => line?.trim().split(/\s+/);

describe('frugal report --quality (SQLite)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'frugal-quality-'));
    const ledger = createSqliteLedgerStore({ path: join(dataDir, 'ledger.sqlite') });
    const feedback = openFeedbackStore({ dataDir });
    await plant(ledger, feedback);
    await feedback.close();
    await ledger.close();
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));
  beforeEach(() => {
    vi.stubEnv('DATABASE_URL', '');
    vi.stubEnv('FRUGAL_CONFIG', '');
    return () => vi.unstubAllEnvs();
  });

  async function report(...args: string[]): Promise<string> {
    let printed = '';
    const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
    registerReportCommand(program);
    await program.parseAsync(['report', ...args, '--data-dir', dataDir], { from: 'user' });
    return printed;
  }

  it('prints requests, exact spend, scored requests and the mean with its 95 % interval per group', async () => {
    const lines = (await report('--by', 'model', '--quality')).trimEnd().split('\n');
    expect(lines[0]).toBe('quality by model, from the first row to now');
    expect(cells(lines[2])).toEqual(['model', 'requests', 'spend_usd', 'scored', 'mean_score', 'ci95_low', 'ci95_high', 'interval']);
    expect(lines.slice(4, 6).map(cells)).toEqual(EXPECTED_BY_MODEL);
    expect(cells(lines[7])).toEqual(EXPECTED_TOTAL);
    expect(lines.at(-1)).toContain("latest 'default' score");
  });

  it('reads a named score, and JSON carries exact money and the interval', async () => {
    const json = JSON.parse(await report('--by', 'model', '--quality', 'correct', '--json'));
    expect(json.score).toBe('correct');
    expect(json.rows).toEqual([
      { group: 'gpt-4o', requests: 3, costNanos: '180000', costUsd: '0.000180000', scored: 0, meanScore: null, ci95: null, interval: null },
      { group: 'gpt-4o-mini', requests: 4, costNanos: '10000', costUsd: '0.000010000', scored: 1, meanScore: 0.3, ci95: null, interval: null },
    ]);
  });

  it('groups by day within a time range, joined on the ledger row a score belongs to', async () => {
    const lines = (await report('--by', 'day', '--quality', '--since', '2025-03-03', '--until', '2025-03-04')).trimEnd().split('\n');
    // The reused id a2 two days later is outside the range: its 0.2 does not count.
    expect(cells(lines[4])).toEqual(['2025-03-03', '6', '0.000120', '5', '0.680', '0.143', '1.000', 't']);
  });

  it('refuses --quality with --savings or --csv', async () => {
    await expect(report('--by', 'model', '--quality', '--csv')).rejects.toThrow(/cannot be used with/);
  });
});

async function runReport(dataDir: string, ...args: string[]): Promise<string> {
  let printed = '';
  const program = new Command().exitOverride().configureOutput({ writeOut: (text) => (printed += text), writeErr: (text) => (printed += text) });
  registerReportCommand(program);
  await program.parseAsync(['report', ...args, '--data-dir', dataDir], { from: 'user' });
  return printed;
}

describe('report --quality after requests through the OpenAI SDK and scores over HTTP', () => {
  it('joins each score to its request\'s feature, next to the spend the ledger recorded', async () => {
    const upstream = await startMockOpenAIServer();
    const frugal = await startFeedbackGateway({
      config: { providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } }, models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }] },
      backend: { kind: 'sqlite' },
    });
    try {
      const ask = async (feature: string) => {
        const client = new OpenAI({ apiKey: 'unused', baseURL: frugal.baseUrl, maxRetries: 0, defaultHeaders: { 'x-frugal-tags': `feature=${feature}` } });
        const { response } = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: `a ${feature} question` }] }).withResponse();
        return response.headers.get('x-frugal-request-id')!;
      };
      const summarize = [await ask('summarize'), await ask('summarize'), await ask('summarize')];
      const chatIds = [await ask('chat'), await ask('chat')];
      const scores: Array<[string, unknown]> = [[summarize[0], true], [summarize[1], true], [summarize[2], false], [chatIds[0], 0.5]];
      for (const [requestId, score] of scores) {
        const reply = await fetch(`${frugal.origin}/v1/feedback`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ request_id: requestId, score }) });
        expect(reply.status).toBe(200);
      }
      await frugal.writer.flush();
      const spend = new Map((await frugal.ledger.report({ by: 'feature' })).map((row) => [row.group, formatUsd(row.costNanos)]));
      expect([...spend.values()].every((usd) => usd !== undefined && Number(usd) > 0)).toBe(true);
      vi.stubEnv('DATABASE_URL', '');
      vi.stubEnv('FRUGAL_CONFIG', '');
      const lines = (await runReport(frugal.dataDir!, '--by', 'feature', '--quality')).split('\n');
      const byFeature = new Map(lines.map(cells).filter((row) => row?.[0] === 'summarize' || row?.[0] === 'chat').map((row) => [row![0], row]));
      // Two thumbs up of three: Wilson(2, 3); one graded score: a mean, no interval.
      expect(byFeature.get('summarize')).toEqual(['summarize', '3', spend.get('summarize'), '3', '0.667', '0.208', '0.939', 'wilson']);
      expect(byFeature.get('chat')).toEqual(['chat', '2', spend.get('chat'), '1', '0.500', '-', '-', '-']);
    } finally {
      vi.unstubAllEnvs();
      await frugal.close();
      await upstream.close();
    }
  });
});

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'report --quality on PostgreSQL');
const schemas = testSchemas('quality');

describe.skipIf(!reachable)('report --quality (PostgreSQL)', () => {
  afterAll(() => schemas.dropAll());

  it('gives the same table from the same rows and scores', async () => {
    const schema = schemas.schemaOf('table');
    const ledger = createPostgresLedgerStore({ connectionString: TEST_DATABASE_URL, schema });
    const feedback = openFeedbackStore({ databaseUrl: TEST_DATABASE_URL, dataDir: 'unused', schema });
    try {
      await plant(ledger, feedback);
      // What report-command does after opening the stores.
      const rows = await ledger.report({ by: 'model' });
      const table = formatQualityTable(joinQuality(rows, await feedback.scoreStats({ by: 'model' }), 'model'), 'model').split('\n');
      expect(table.slice(2, 4).map(cells)).toEqual(EXPECTED_BY_MODEL);
      expect(cells(table[5])).toEqual(EXPECTED_TOTAL);
    } finally {
      await feedback.close();
      await ledger.close();
    }
  });
});
