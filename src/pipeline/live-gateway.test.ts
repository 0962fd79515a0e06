import { describe, expect, it } from 'vitest';
import { FrugalError } from '../errors/frugal-error.js';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { createGateway, type Gateway } from './create-gateway.js';
import { createLiveGateway } from './live-gateway.js';

const ask = (model: string, stream = false) => ({ model, stream, messages: [{ role: 'user', content: 'hello' }] });

/** A gateway serving one model at the given price; `closed` records when it is closed. */
async function gatewayWith(model: string, outputUsd: number, rows: LedgerRow[], closed: string[]): Promise<Gateway> {
  const gateway = await createGateway({
    config: { providers: { sim: { kind: 'simulated', output_tokens: 20 } }, models: [{ name: model, provider: 'sim', price: { input: 0, output: outputUsd } }] },
    env: {},
    ledger: { record: (row) => rows.push(row) },
  });
  return {
    ...gateway,
    async close() {
      closed.push(model);
      await gateway.close();
    },
  };
}

describe('createLiveGateway', () => {
  it('finishes a started stream on the gateway it began with, serves new requests from the new one, then closes the old', async () => {
    const rows: LedgerRow[] = [];
    const closed: string[] = [];
    const live = createLiveGateway(await gatewayWith('old-model', 1, rows, closed));
    const started = await live.chat(ask('old-model', true));
    if (started.kind !== 'stream') throw new Error('expected a stream');
    const chunks = started.chunks[Symbol.asyncIterator]();
    expect((await chunks.next()).done).toBe(false);

    live.swap(await gatewayWith('new-model', 2, rows, closed));
    expect(live.config.models.has('new-model')).toBe(true);
    expect(live.models().map((model) => model.name)).toEqual(['new-model']);
    await expect(live.chat(ask('old-model'))).rejects.toSatisfy((error) => error instanceof FrugalError && error.code === 'model_not_found');
    const fresh = await live.chat(ask('new-model'));
    expect(fresh.kind === 'response' && fresh.meta.model.name).toBe('new-model');
    // The old gateway still has a stream running: it stays open.
    expect(closed).toEqual([]);
    expect(live.retiring()).toBe(1);

    let done = false;
    while (!done) done = (await chunks.next()).done === true;
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toEqual(['old-model']);
    expect(live.retiring()).toBe(0);
    const streamed = rows.find((row) => row.servedModel === 'old-model' && row.status === 'ok');
    // Priced on the config it started with: $1 per 1M output tokens = 1000 nano-dollars a token.
    expect(streamed?.costNanos).toBe(streamed!.completionTokens * 1000);
    await live.close();
    expect(closed).toEqual(['old-model', 'new-model']);
  });

  it('closes the replaced gateway at once when nothing runs on it, and when an abandoned stream is returned', async () => {
    const rows: LedgerRow[] = [];
    const closed: string[] = [];
    const live = createLiveGateway(await gatewayWith('first', 1, rows, closed));
    live.swap(await gatewayWith('second', 1, rows, closed));
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toEqual(['first']);

    const abandoned = await live.chat(ask('second', true));
    if (abandoned.kind !== 'stream') throw new Error('expected a stream');
    live.swap(await gatewayWith('third', 1, rows, closed));
    expect(closed).toEqual(['first']);
    // The client went away before reading anything.
    await abandoned.chunks[Symbol.asyncIterator]().return?.();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toEqual(['first', 'second']);
    await live.close();
  });
});
