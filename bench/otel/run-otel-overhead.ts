// `node --import tsx bench/otel/run-otel-overhead.ts [--quick] [--no-before]`: what OpenTelemetry tracing costs.
//   1. The off path, alone: the one check the model caller makes per upstream attempt when nobody listens.
//   2. `frugal serve` under closed-loop load (16 connections, ledger off, mock upstream in its own process), three
//      builds side by side, rounds interleaved: `before` (HEAD, i.e. without the tracing code, from `git archive`),
//      `off` (this tree, no endpoint) and `on` (this tree, OTLP export to an in-process receiver that decodes and
//      counts every span). Prints a markdown table.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { chatBody } from '../overhead/chat-body.js';
import { measureThroughput, type ThroughputResult } from '../overhead/measure-throughput.js';
import { startMockUpstream, stopAll, stopChildrenOnExit, type Endpoint } from '../overhead/start-processes.js';
import { decodeTraceExport } from '../../src/testing/otlp-trace-receiver.js';
import { beginUpstreamAttempt } from '../../src/telemetry/upstream-attempt-event.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const withBefore = !argv.includes('--no-before');
const rounds = quick ? 1 : 3;
const plan = { connections: 16, warmupSeconds: quick ? 1 : 2, seconds: quick ? 3 : 6 };

type Variant = 'before' | 'off' | 'on';
const children: ChildProcess[] = [];

function progress(text: string) {
  process.stderr.write(`[bench:otel] ${text}\n`);
}

/** ns per call of the check the model caller makes per attempt when tracing is off. */
function offPathNanos(): number {
  const request = { model: 'm', messages: [] };
  const calls = 20_000_000;
  let sink = 0;
  for (let i = 0; i < 1_000_000; i += 1) if (beginUpstreamAttempt('r', 'p', 'm', request) === undefined) sink += 1;
  const started = process.hrtime.bigint();
  for (let i = 0; i < calls; i += 1) if (beginUpstreamAttempt('r', 'p', 'm', request) === undefined) sink += 1;
  const elapsed = Number(process.hrtime.bigint() - started);
  if (sink !== calls + 1_000_000) throw new Error('a subscriber is attached: the off path was not measured');
  return elapsed / calls;
}

/** The collector stand-in: decodes each export (as a collector would) and counts spans. */
async function startSpanSink() {
  let spans = 0;
  const server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    spans += decodeTraceExport(Buffer.concat(chunks)).length;
    res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans: () => spans, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** HEAD's sources, without this tree's uncommitted work, sharing this tree's node_modules. */
async function checkoutHead(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-head-'));
  const archive = execFileSync('git', ['archive', '--format=tar', 'HEAD'], { cwd: REPO, maxBuffer: 512 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  await symlink(join(REPO, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

async function startFrugal(variant: Variant, root: string, mock: Endpoint, sinkUrl: string, dir: string): Promise<Endpoint> {
  const mockPort = new URL(mock.url).port;
  const config = [
    `providers: { mock: { kind: openai, base_url: "http://127.0.0.1:${mockPort}/v1", api_key: x } }`,
    'models: [{ name: gpt-4o-mini, provider: mock, price: { input: 0.15, output: 0.6 } }]',
    'ledger: { enabled: false }',
    'resilience: { health_check_interval_ms: 0 }',
    'logging: { level: warn }',
    variant === 'on' ? `telemetry: { otlp: { endpoint: "${sinkUrl}" } }` : '',
  ].join('\n');
  const configPath = join(dir, `frugal-${variant}.yaml`);
  await writeFile(configPath, config);
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // From source in every variant (HEAD has no dist/; this tree's dist/ may be stale): the same loader for all three.
  const child = spawn(process.execPath, ['bin/frugal.mjs', 'serve', '--config', configPath, '--port', String(port), '--host', '127.0.0.1'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production', FRUGAL_FROM_SOURCE: '1' },
  });
  children.push(child);
  const base = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries += 1) {
    try {
      const response = await request(`${base}/healthz`);
      await response.body.dump();
      if (response.statusCode === 200) break;
    } catch {
      if (tries > 300) throw new Error(`frugal (${variant}) did not start`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { name: 'frugal', url: `${base}/v1/chat/completions`, headers: { 'content-type': 'application/json' }, pid: child.pid ?? -1 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

async function main() {
  stopChildrenOnExit();
  const nanos = offPathNanos();
  progress(`off path: ${nanos.toFixed(2)} ns per upstream attempt`);

  const dir = await mkdtemp(join(tmpdir(), 'frugal-otel-bench-'));
  const head = withBefore ? await checkoutHead() : undefined;
  const sink = await startSpanSink();
  const mock = await startMockUpstream();
  const variants: Array<[Variant, string]> = [...(head ? [['before', head] as [Variant, string]] : []), ['off', REPO], ['on', REPO]];
  const endpoints = new Map<Variant, Endpoint>();
  for (const [variant, root] of variants) endpoints.set(variant, await startFrugal(variant, root, mock, sink.url, dir));

  const results = new Map<Variant, ThroughputResult[]>();
  const body = chatBody({ stream: false });
  for (let round = 1; round <= rounds; round += 1) {
    for (const [variant] of variants) {
      const spansBefore = sink.spans();
      const result = await measureThroughput(endpoints.get(variant)!, body, plan);
      results.set(variant, [...(results.get(variant) ?? []), result]);
      progress(`round ${round} ${variant}: ${result.rps.toFixed(0)} rps, ${result.cpuMsPerRequest.toFixed(3)} ms CPU/request, ${result.failures} failures${variant === 'on' ? `, ${sink.spans() - spansBefore} spans so far this cell` : ''}`);
    }
  }

  console.log(`\nOff path (no subscriber): ${nanos.toFixed(2)} ns per upstream attempt (beginUpstreamAttempt, ${process.version}).\n`);
  console.log(`| build | RPS (median of ${rounds}) | CPU ms / request (median) | p99 ms | failures |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [variant] of variants) {
    const cells = results.get(variant)!;
    console.log(`| ${variant} | ${median(cells.map((cell) => cell.rps)).toFixed(0)} | ${median(cells.map((cell) => cell.cpuMsPerRequest)).toFixed(3)} | ${median(cells.map((cell) => cell.p99))} | ${cells.reduce((sum, cell) => sum + cell.failures, 0)} |`);
  }
  // SIGTERM: `frugal serve` flushes its spans on the way out.
  await Promise.all(
    children.map((child) => new Promise<void>((resolve) => {
      if (child.pid === undefined || child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      process.kill(child.pid, 'SIGTERM');
    })),
  );
  const answered = (results.get('on') ?? []).length;
  console.log(`\nSpans received by the in-process OTLP receiver from the 'on' build: ${sink.spans()} (${answered} measured cells plus warm-ups; two spans per request)`);
  await stopAll();
  await sink.close();
  await rm(dir, { recursive: true, force: true });
  if (head) await rm(head, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  console.error(error);
  for (const child of children) if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  process.exit(1);
});
