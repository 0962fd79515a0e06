/**
 * Cache benchmark: exact lookup latency (memory, Redis), semantic index lookup latency at 10k and 100k
 * entries (embedding excluded), and semantic precision/recall at the default threshold on the pair files.
 *
 *   node --import tsx bench/cache/run-cache-bench.ts [--data ../shared/data/cache] [--sizes 10000,100000]
 *
 * Prints a markdown table. Latencies are wall-clock on whatever else the machine is doing: compare runs
 * made on the same machine, not against numbers from elsewhere.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import type { CachedEntry, CacheStore } from '../../src/cache/cache-store.js';
import { evaluatePairs } from '../../src/lab/cache-eval/cache-eval.js';
import { readEvalFile } from '../../src/lab/cache-eval/pair-files.js';
import { exactCacheKey } from '../../src/cache/exact/cache-key.js';
import { createMemoryCacheStore } from '../../src/cache/memory-cache-store.js';
import { createRedisCacheStore } from '../../src/cache/redis-cache-store.js';
import { createHnswIndex } from '../../src/cache/semantic/hnsw-index.js';
import { createOfflineEmbedder } from '../../src/cache/semantic/offline-embedder.js';
import type { ChatRequest } from '../../src/wire/chat-types.js';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i].replace(/^--/, ''), process.argv[i + 1]);
const dataDir = resolve(args.get('data') ?? (existsSync('../shared/data/cache') ? '../shared/data/cache' : '/work/shared/data/cache'));
const sizes = (args.get('sizes') ?? '10000,100000').split(',').map(Number);
const redisUrl = process.env.FRUGAL_BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
const ms = (value: number) => value.toFixed(3);
const rows: string[][] = [];
const row = (...cells: string[]) => rows.push(cells);

function entryFor(text: string): CachedEntry {
  return {
    response: { id: 'chatcmpl-bench', object: 'chat.completion', created: 1_763_856_000, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: `Answer to: ${text}`.repeat(3) }, finish_reason: 'stop' }], usage: { prompt_tokens: 40, completion_tokens: 60, total_tokens: 100 } },
    servedModel: 'gpt-4o-mini',
    provider: 'openai',
    usage: { promptTokens: 40, completionTokens: 60, cachedPromptTokens: 0 },
    costNanos: 42_000,
    createdAt: Date.now(),
  };
}

const questions = readFileSync(resolve(dataDir, 'qqp-dev.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { a: string; b: string; duplicate: boolean });
const uniqueTexts = [...new Set(questions.flatMap((pair) => [pair.a, pair.b]))];

/** Key computation plus store read, for requests that were stored (hits), measured one at a time. */
async function exactLookupLatency(store: CacheStore, count: number): Promise<number[]> {
  const requests: ChatRequest[] = uniqueTexts.slice(0, count).map((text) => ({ model: 'gpt-4o-mini', temperature: 0, messages: [{ role: 'system', content: 'You are a helpful assistant.' }, { role: 'user', content: text }] }));
  for (const request of requests) await store.set(exactCacheKey(request, { scope: 'key:bench' }), entryFor(String(request.messages[1].content)), 600);
  const samples: number[] = [];
  for (let round = 0; round < 2; round += 1) {
    for (const request of requests) {
      const started = performance.now();
      const entry = await store.get(exactCacheKey(request, { scope: 'key:bench' }));
      if (entry === undefined) throw new Error('benchmark entry missing');
      if (round === 1) samples.push(performance.now() - started);
    }
  }
  return samples;
}

async function benchExact() {
  const memory = createMemoryCacheStore();
  const samples = await exactLookupLatency(memory, 10_000);
  row('exact lookup, memory (key + get, hit)', '10 000 entries', `p50 ${ms(percentile(samples, 50))} ms, p99 ${ms(percentile(samples, 99))} ms`, '-');
  await memory.close();

  const probe = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  const reachable = await probe.connect().then(() => true, () => false);
  if (!reachable) {
    probe.disconnect();
    row('exact lookup, Redis', '-', `skipped: Redis unreachable at ${redisUrl}`, '-');
    return;
  }
  const prefix = `frugal-bench:cache:${randomUUID()}:`;
  const redis = createRedisCacheStore({ url: redisUrl, keyPrefix: prefix });
  try {
    const redisSamples = await exactLookupLatency(redis, 10_000);
    row('exact lookup, Redis on loopback (key + GET, hit)', '10 000 entries', `p50 ${ms(percentile(redisSamples, 50))} ms, p99 ${ms(percentile(redisSamples, 99))} ms`, '-');
  } finally {
    let cursor = '0';
    do {
      const [next, keys] = await probe.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await probe.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.close();
    await probe.quit();
  }
}

async function benchSemantic() {
  const embedder = createOfflineEmbedder();
  const largest = Math.max(...sizes);
  const stored = uniqueTexts.slice(0, largest);
  const queryTexts = [...uniqueTexts.slice(largest, largest + 1_000), ...questions.filter((pair) => pair.duplicate).slice(0, 1_000).map((pair) => pair.b)];
  let started = performance.now();
  const vectors = await embedder.embed(stored);
  const queries = await embedder.embed(queryTexts);
  const embedMs = (performance.now() - started) / (stored.length + queryTexts.length);
  row('offline embedding (for reference, not in lookups)', `${stored.length + queryTexts.length} texts`, `mean ${ms(embedMs)} ms per text`, '-');
  for (const size of sizes) {
    // Worst case for the index: every entry in one bucket (one system prompt, first questions only).
    const index = createHnswIndex({ dimensions: embedder.dimensions, maxEntries: size });
    const heapBefore = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    started = performance.now();
    for (let i = 0; i < size; i += 1) index.add(`e${i}`, 'bucket', vectors[i], Number.MAX_SAFE_INTEGER);
    const buildSeconds = (performance.now() - started) / 1000;
    const heapAfter = process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    const now = Date.now();
    // One full pass lets the JIT settle; then two measured passes.
    for (const query of queries) index.search('bucket', query, { now, k: 3, minSimilarity: embedder.suggestedThreshold });
    const samples: number[] = [];
    const cpuSamples: number[] = [];
    for (const query of [...queries, ...queries]) {
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      index.search('bucket', query, { now, k: 3, minSimilarity: embedder.suggestedThreshold });
      samples.push(performance.now() - t0);
      cpuSamples.push(process.cpuUsage(cpu).user / 1000);
    }
    row(
      `semantic lookup, HNSW index (search only, k=3)`,
      `${size.toLocaleString('en-US')} entries, one bucket`,
      `p50 ${ms(percentile(samples, 50))} ms, p99 ${ms(percentile(samples, 99))} ms`,
      `CPU p99 ${ms(percentile(cpuSamples, 99))} ms (build ${buildSeconds.toFixed(1)} s, ~${Math.round((heapAfter - heapBefore) / 1_048_576)} MB)`,
    );
  }
}

async function benchQuality() {
  const embedder = createOfflineEmbedder();
  const threshold = embedder.suggestedThreshold!;
  for (const file of ['qqp-dev.jsonl', 'mrpc-train.jsonl', 'stsb-dev.jsonl', 'gptcache-mock.jsonl']) {
    const parsed = await readEvalFile(resolve(dataDir, file));
    if (parsed.kind !== 'pairs') continue;
    const result = await evaluatePairs(parsed.pairs, embedder, threshold);
    row(`semantic precision / recall at ${threshold} (positive = ${parsed.labelRule})`, file, `P ${result.precision.toFixed(3)}, R ${result.recall.toFixed(3)}`, `F1 ${result.f1.toFixed(3)}`);
  }
}

await benchExact();
await benchSemantic();
await benchQuality();
process.stdout.write(`\n| measure | size / data | result | notes |\n|---|---|---|---|\n${rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n')}\n`);
