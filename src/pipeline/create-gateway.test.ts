import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { startMockOpenAIServer } from '../testing/mock-openai-server.js';
import { createGateway } from './create-gateway.js';

describe('createGateway (library use)', () => {
  it('runs the same pipeline in-process: priced answer and one ledger row', async () => {
    const rows: LedgerRow[] = [];
    const gateway = await createGateway({
      config: { providers: { sim: { kind: 'simulated', output_tokens: 6 } }, models: [{ name: 'cheap', provider: 'sim', price: { input: 1, output: 2 } }] },
      env: {},
      ledger: { record: (row) => rows.push(row) },
    });
    const reply = await gateway.chat({ model: 'cheap', messages: [{ role: 'user', content: 'hello' }] }, { tags: { feature: 'lib' } });
    expect(reply.kind).toBe('response');
    if (reply.kind !== 'response') return;
    const usage = reply.meta.usage!;
    // $1 and $2 per 1M tokens = 1000 and 2000 nano-dollars per token
    expect(reply.meta.costNanos).toBe(usage.promptTokens * 1000 + usage.completionTokens * 2000);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ servedModel: 'cheap', provider: 'sim', costNanos: reply.meta.costNanos, tags: { feature: 'lib' }, routeTrace: 'cheap' });
    await gateway.close();
  });

  it('records a streamed request the client abandons as client_aborted, with what was generated', async () => {
    const rows: LedgerRow[] = [];
    const gateway = await createGateway({
      config: { providers: { sim: { kind: 'simulated', output_tokens: 50 } }, models: [{ name: 'cheap', provider: 'sim', price: { input: 1, output: 1 } }] },
      env: {},
      ledger: { record: (row) => rows.push(row) },
    });
    const reply = await gateway.chat({ model: 'cheap', stream: true, messages: [{ role: 'user', content: 'hello' }] });
    if (reply.kind !== 'stream') throw new Error('expected a stream');
    let seen = 0;
    for await (const chunk of reply.chunks) {
      if (chunk.choices[0]?.delta.content) seen += 1;
      if (seen === 5) break; // the client goes away
    }
    expect(rows).toHaveLength(1);
    expect(rows[0].status).toBe('client_aborted');
    expect(rows[0].tokensEstimated).toBe(true);
    expect(rows[0].completionTokens).toBeGreaterThanOrEqual(5);
    expect(rows[0].completionTokens).toBeLessThan(50);
    expect(rows[0].costNanos).toBe((rows[0].promptTokens + rows[0].completionTokens) * 1000);
    await gateway.close();
  });

  it('records a failed validation as an error row and rethrows a 400', async () => {
    const rows: LedgerRow[] = [];
    const gateway = await createGateway({ config: { providers: { sim: { kind: 'simulated' } } }, env: {}, ledger: { record: (row) => rows.push(row) } });
    await expect(gateway.chat({ model: 'gpt-4o-mini', messages: [] })).rejects.toMatchObject({ code: 'invalid_request', param: 'messages' });
    expect(rows[0]).toMatchObject({ status: 'error', httpStatus: 400, errorCode: 'invalid_request', requestedModel: 'gpt-4o-mini' });
  });

  it('gives each in-process call without a signal its own: many at once pile no listeners on a shared one', async () => {
    const upstream = await startMockOpenAIServer({ latencyMs: 30 });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on('warning', onWarning);
    const gateway = await createGateway({
      config: { providers: { up: { kind: 'openai', base_url: upstream.baseUrl, api_key: 'sk-test', timeout_ms: 10_000 } }, models: [{ name: 'm', provider: 'up', price: { input: 1, output: 1 } }] },
      env: {},
    });
    try {
      const replies = await Promise.all(Array.from({ length: 24 }, (_, n) => gateway.chat({ model: 'm', messages: [{ role: 'user', content: `call ${n}` }] })));
      expect(replies.every((reply) => reply.kind === 'response')).toBe(true);
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings.filter((name) => name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      await gateway.close();
      await upstream.close();
    }
  });
});
