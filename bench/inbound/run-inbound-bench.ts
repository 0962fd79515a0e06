// What the Responses and Messages doors add over the same chat call: one Frugal (ledger off), one mock upstream,
// one connection, the three endpoints taking turns in blocks so a drifting machine hits them alike.
// Run: node --import tsx bench/inbound/run-inbound-bench.ts [iterations]   (a quiet machine, please)
import { Pool } from 'undici';
import { startFrugal, startMockUpstream, stopAll, stopChildrenOnExit } from '../overhead/start-processes.js';
import { summarizeSamples, type LatencySummary } from '../overhead/summarize-samples.js';

const ITERATIONS = Number(process.argv[2] ?? 3000);
const WARMUP = 300;
const BLOCK = 50;
const SYSTEM = 'You are a concise assistant for an internal support desk. Answer in one sentence. Keep answers short and cite the ticket number.';
const QUESTION = 'What is the status of ticket 4711?';

// The same question through each door; temperature 1 keeps the cache out, so every call reaches the upstream.
const DOORS = {
  chat: {
    path: '/v1/chat/completions',
    headers: { 'content-type': 'application/json' },
    body: (stream: boolean) => JSON.stringify({ model: 'gpt-4o-mini', stream, temperature: 1, max_tokens: 64, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }] }),
  },
  responses: {
    path: '/v1/responses',
    headers: { 'content-type': 'application/json' },
    body: (stream: boolean) => JSON.stringify({ model: 'gpt-4o-mini', stream, store: false, temperature: 1, max_output_tokens: 64, instructions: SYSTEM, input: QUESTION }),
  },
  messages: {
    path: '/v1/messages',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
    body: (stream: boolean) => JSON.stringify({ model: 'gpt-4o-mini', stream, temperature: 1, max_tokens: 64, system: SYSTEM, messages: [{ role: 'user', content: QUESTION }] }),
  },
} as const;
type Door = keyof typeof DOORS;

async function timeOne(pool: Pool, door: Door, stream: boolean): Promise<number> {
  const { path, headers, body } = DOORS[door];
  const payload = body(stream);
  const start = process.hrtime.bigint();
  const response = await pool.request({ path, method: 'POST', headers, body: payload });
  const text = await response.body.text();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (response.statusCode !== 200) throw new Error(`${door} answered ${response.statusCode}: ${text.slice(0, 300)}`);
  return ms;
}

async function measure(pool: Pool, stream: boolean): Promise<Record<Door, LatencySummary>> {
  const doors = Object.keys(DOORS) as Door[];
  for (const door of doors) for (let i = 0; i < WARMUP; i += 1) await timeOne(pool, door, stream);
  const samples: Record<Door, number[]> = { chat: [], responses: [], messages: [] };
  while (samples.chat.length < ITERATIONS) {
    for (const door of doors) for (let i = 0; i < BLOCK; i += 1) samples[door].push(await timeOne(pool, door, stream));
  }
  return Object.fromEntries(doors.map((door) => [door, summarizeSamples(samples[door])])) as Record<Door, LatencySummary>;
}

const ms = (value: number) => value.toFixed(3);

stopChildrenOnExit();
try {
  const mock = await startMockUpstream();
  const frugal = await startFrugal(mock, 'off');
  const pool = new Pool(new URL(frugal.url).origin, { connections: 1 });
  console.log(`inbound doors over chat: ${ITERATIONS} requests each, 1 connection, blocks of ${BLOCK}, ledger off\n`);
  console.log('| mode | door | p50 ms | p99 ms | mean ms | p50 over chat ms |');
  console.log('|---|---|---|---|---|---|');
  for (const stream of [false, true]) {
    const result = await measure(pool, stream);
    for (const door of Object.keys(result) as Door[]) {
      const { p50, p99, mean } = result[door];
      console.log(`| ${stream ? 'stream' : 'non-stream'} | ${door} | ${ms(p50)} | ${ms(p99)} | ${ms(mean)} | ${door === 'chat' ? '—' : ms(p50 - result.chat.p50)} |`);
    }
  }
  await pool.close();
} finally {
  await stopAll();
}
