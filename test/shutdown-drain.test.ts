import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chatBody, killLeftovers, ledgerRows, startServe } from '../src/testing/serve-child.js';

const dirs: string[] = [];
afterAll(async () => {
  killLeftovers();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

// slow: 60 words at 10 a second, a 6 s stream; medium: 15 words, 1.5 s. The drain deadline (3 s) falls between.
const CONFIG = `
providers:
  slow: { kind: simulated, ttft_ms: 0, tokens_per_second: 10, output_tokens: 60 }
  medium: { kind: simulated, ttft_ms: 0, tokens_per_second: 10, output_tokens: 15 }
models:
  - { name: slow-model, provider: slow, price: { input: 1, output: 2 } }
  - { name: medium-model, provider: medium, price: { input: 1, output: 2 } }
server: { drain_timeout_ms: 3000 }
logging: { level: info }
`;

/** A streamed chat request: resolves `started` at the first content event, `text` with everything read. */
function openStream(baseUrl: string, id: string, model: string) {
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const text = (async () => {
    const response = await fetch(`${baseUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': id }, body: chatBody(model, true) });
    if (response.status !== 200) throw new Error(`${id}: ${response.status} ${await response.text()}`);
    const decoder = new TextDecoder();
    let all = '';
    for await (const part of response.body!) {
      all += decoder.decode(part as Uint8Array, { stream: true });
      if (/"content":"[^"]/.test(all)) markStarted();
    }
    return all;
  })();
  text.catch(() => markStarted());
  return { started, text };
}

/** SSE `data:` payloads, parsed (the final [DONE] kept as the string). */
function events(text: string): unknown[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice('data: '.length))
    .map((data) => (data === '[DONE]' ? data : JSON.parse(data)));
}

describe('SIGTERM with streams in flight', () => {
  it('stops accepting, lets short streams finish, ends long ones with a shutdown error event, and writes every row', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'frugal-drain-'));
    dirs.push(dataDir);
    const serve = await startServe(dataDir, `${CONFIG}ledger: { data_dir: "${dataDir}", flush_interval_ms: 60000 }\n`);
    const long = Array.from({ length: 6 }, (_, i) => openStream(serve.baseUrl, `long-${i}`, 'slow-model'));
    const medium = Array.from({ length: 2 }, (_, i) => openStream(serve.baseUrl, `medium-${i}`, 'medium-model'));
    // Every stream has been answered (200, first tokens out) before the signal: all are acknowledged requests.
    await Promise.all([...long, ...medium].map((stream) => stream.started));

    serve.child.kill('SIGTERM');
    while (!serve.output().includes('shutting down')) await new Promise((resolve) => setTimeout(resolve, 20));
    // A new request is refused while the streams drain (never served, never a row).
    let refused = false;
    for (let attempt = 0; attempt < 40 && !refused; attempt += 1) {
      const reply = await fetch(`${serve.baseUrl}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': `late-${attempt}` }, body: chatBody('medium-model', false) }).catch(() => undefined);
      refused = reply === undefined || reply.status === 503;
      if (!refused) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(refused).toBe(true);

    const longTexts = await Promise.all(long.map((stream) => stream.text));
    const mediumTexts = await Promise.all(medium.map((stream) => stream.text));
    expect(await serve.exited).toEqual({ code: 0, signal: null });

    for (const text of mediumTexts) expect(events(text).at(-1)).toBe('[DONE]');
    for (const text of longTexts) {
      const last = events(text).at(-1);
      // OpenAI's error shape, as the one renderer writes it, then the stream closes without [DONE].
      expect(last).toEqual({ error: { message: expect.stringMatching(/shutting down/), type: 'server_error', param: null, code: 'shutdown' } });
      expect(text).not.toContain('[DONE]');
    }

    const rows = ledgerRows(dataDir).filter((row) => !row.id.startsWith('late-'));
    expect(rows.map((row) => row.id).sort()).toEqual([...long.map((_, i) => `long-${i}`), ...medium.map((_, i) => `medium-${i}`)].sort());
    for (const row of rows) {
      if (row.id.startsWith('medium-')) expect(row).toMatchObject({ status: 'ok', error_code: null, http_status: 200 });
      else expect(row).toMatchObject({ status: 'client_aborted', error_code: 'shutdown', http_status: 503 });
    }
    expect(serve.output()).not.toMatch(/ledger writer is closed|could not be written/);
  }, 60_000);
});
