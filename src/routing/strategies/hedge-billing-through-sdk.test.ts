import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';
import { countPromptTokens } from '../../tokens/count-tokens.js';
import type { ChatRequest } from '../../wire/chat-types.js';
import { startScriptedUpstream, type ScriptedUpstream } from '../../testing/scripted-upstream.js';

// Every order is set by the scripted upstream (it answers only when told): no timer decides an outcome. The hedge
// starts 1 ms after the primary, which never answers before the test tells it to.
let upstream: ScriptedUpstream;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  upstream = await startScriptedUpstream();
  frugal = await startTestGateway({
    providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
    // 1 USD and 2 USD per million tokens: 1 000 and 2 000 nano-dollars a token.
    models: [
      { name: 'primary', provider: 'up', upstream: 'primary-up', price: { input: 1, output: 2 } },
      { name: 'backup', provider: 'up', upstream: 'backup-up', price: { input: 1, output: 2 } },
    ],
    routes: { hedged: { strategy: 'fallback', chain: ['primary', 'backup'], retries: { attempts: 1 }, hedge: { after: 1 } } },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

const messagesOf = (text: string) => [{ role: 'user' as const, content: text }];
/** What Frugal counts for a cancelled call's prompt: its own tokenizer over the messages sent. */
const promptEstimate = (text: string) => countPromptTokens(messagesOf(text) as ChatRequest['messages'], undefined);

async function rowAfter(before: number): Promise<LedgerRow> {
  await frugal.waitForRows(before + 1);
  return frugal.rows[before];
}

function expectPricedExactly(row: LedgerRow) {
  expect(row.costNanos).toBe(row.promptTokens * 1_000 + row.completionTokens * 2_000);
}

describe('a hedge counts every upstream attempt exactly once', () => {
  it('a plain answer: the winner at its reported usage, the cancelled primary at its prompt, once', async () => {
    const before = frugal.rows.length;
    const text = 'plain hedge, primary cancelled in flight';
    const pending = client.chat.completions.create({ model: 'hedged', messages: messagesOf(text) });
    const primary = await upstream.next('primary-up');
    const backup = await upstream.next('backup-up');
    backup.reply('from the backup', { prompt: 2_000, completion: 11 });
    expect((await pending).choices[0].message.content).toBe('from the backup');
    await primary.closed;
    const row = await rowAfter(before);
    expect(row.servedModel).toBe('backup');
    expect(row.promptTokens).toBe(2_000 + promptEstimate(text));
    expect(row.completionTokens).toBe(11);
    expect(row.tokensEstimated).toBe(true);
    expectPricedExactly(row);
  });

  it('a stream whose loser had answered its headers but no token: the loser counted once, not by both it and the hedge', async () => {
    const before = frugal.rows.length;
    const text = 'streamed hedge, primary open but silent';
    const pending = client.chat.completions.create({ model: 'hedged', stream: true, messages: messagesOf(text) });
    const primary = await upstream.next('primary-up');
    primary.open();
    const backup = await upstream.next('backup-up');
    backup.open();
    backup.chunk('from');
    const stream = await pending;
    await primary.closed;
    backup.chunk(' the backup');
    backup.end({ prompt: 2_000, completion: 11 });
    let text2 = '';
    for await (const chunk of stream) text2 += chunk.choices[0]?.delta?.content ?? '';
    expect(text2).toBe('from the backup');
    const row = await rowAfter(before);
    expect(row.servedModel).toBe('backup');
    expect(row.promptTokens).toBe(2_000 + promptEstimate(text));
    expect(row.completionTokens).toBe(11);
    expectPricedExactly(row);
  });

  it('a stream whose loser had not answered yet: the winner streams, the loser is its prompt, once', async () => {
    const before = frugal.rows.length;
    const text = 'streamed hedge, the primary wins';
    const pending = client.chat.completions.create({ model: 'hedged', stream: true, messages: messagesOf(text) });
    const primary = await upstream.next('primary-up');
    const backup = await upstream.next('backup-up');
    primary.open();
    primary.chunk('from the primary');
    const stream = await pending;
    await backup.closed;
    primary.end({ prompt: 1_000, completion: 7 });
    for await (const _chunk of stream) {
      // read to the end
    }
    const row = await rowAfter(before);
    expect(row.servedModel).toBe('primary');
    expect(row.promptTokens).toBe(1_000 + promptEstimate(text));
    expect(row.completionTokens).toBe(7);
    expectPricedExactly(row);
  });

  it('two plain answers at the same moment: each counted once, whichever the hedge took', async () => {
    const before = frugal.rows.length;
    const text = 'both answer together';
    const pending = client.chat.completions.create({ model: 'hedged', messages: messagesOf(text) });
    const primary = await upstream.next('primary-up');
    const backup = await upstream.next('backup-up');
    backup.reply('from the backup', { prompt: 2_000, completion: 11 });
    primary.reply('from the primary', { prompt: 1_000, completion: 7 });
    await pending;
    const row = await rowAfter(before);
    const estimate = promptEstimate(text);
    // Both finished (both at their usage), or the loser was cut off first (its prompt, estimated): never both for one call.
    const possible = [
      [3_000, 18],
      [2_000 + estimate, 11],
      [1_000 + estimate, 7],
    ];
    expect(possible).toContainEqual([row.promptTokens, row.completionTokens]);
    expectPricedExactly(row);
  });
});
