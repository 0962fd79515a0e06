import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LedgerRow } from '../../ledger/ledger-row.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { createGateway, type Gateway } from '../create-gateway.js';
import type { CallerKey } from '../../request/request-context.js';

let upstream: MockOpenAIServer;
beforeAll(async () => {
  upstream = await startMockOpenAIServer({ name: 'up' });
});
afterAll(async () => upstream?.close());

async function gatewayWith(extra: Record<string, unknown>) {
  const rows: LedgerRow[] = [];
  const gateway = await createGateway({
    env: {},
    ledger: { record: (row) => rows.push(row) },
    config: {
      providers: { up: { kind: 'openai', base_url: upstream.baseUrl } },
      models: [
        // 1 000 / 2 000 nano-dollars per token; 100 000 / 200 000 for the dear one.
        { name: 'cheap', provider: 'up', price: { input: 1, output: 2 } },
        { name: 'dear', provider: 'up', price: { input: 100, output: 200 } },
        { name: 'embed', provider: 'up', type: 'embedding', price: { input: 100, output: 0 } },
      ],
      cache: { enabled: false },
      ...extra,
    },
  });
  return { gateway, rows };
}

const ask = (gateway: Gateway, model: string, content = 'hello', extra: Record<string, unknown> = {}, key: CallerKey | undefined = growthKey) =>
  gateway.chat({ model, max_tokens: 20, messages: [{ role: 'user', content }], ...extra }, { key, tags: { team: 'growth' } });

// Team budgets follow the key's team: a client's `team` tag never selects one.
const growthKey: CallerKey = { id: 'vk_growth', team: 'growth', allowedModels: null, budget: null, rateLimits: { rpm: null, tpm: null }, defaultTags: {} };

describe('ownership tags come from the key', () => {
  const keyOf = (id: string, team: string | null): CallerKey => ({ id, team, allowedModels: null, budget: null, rateLimits: { rpm: null, tpm: null }, defaultTags: {} });

  it("does not charge a client's team=tiny tag to team:tiny, and tiny's own key keeps working", async () => {
    // $0.0001 for team tiny: one call's worst case (~$0.00006) fits, a few spent calls would use it up.
    const { gateway, rows } = await gatewayWith({ budgets: [{ scope: 'team:tiny', limit_usd: '0.0001', period: 'day' }] });
    const intruder = keyOf('vk_noteam', null);
    for (let i = 0; i < 5; i += 1) {
      await gateway
        .chat({ model: 'cheap', max_tokens: 20, messages: [{ role: 'user', content: `spend ${i}` }], metadata: { team: 'tiny' } }, { key: intruder, tags: { team: 'tiny', key: 'vk_tiny' } })
        .catch(() => undefined);
    }
    const usage = await gateway.spendControl.store.usage({ id: 'team:tiny', limitNanos: 100_000, period: 'day', hard: true });
    expect(usage.spentNanos).toBe(0);
    // The rows are not attributed to team tiny either (the ledger's team is the key's team).
    expect(rows.every((row) => row.tags.team === undefined && row.tags.key === undefined)).toBe(true);
    const own = await gateway.chat({ model: 'cheap', max_tokens: 20, messages: [{ role: 'user', content: 'mine' }] }, { key: keyOf('vk_tiny', 'tiny'), tags: { team: 'growth' } });
    expect(own.kind).toBe('response');
    expect(rows.at(-1)!.tags.team).toBe('tiny');
    expect((await gateway.spendControl.store.usage({ id: 'team:tiny', limitNanos: 100_000, period: 'day', hard: true })).spentNanos).toBeGreaterThan(0);
    await gateway.close();
  });

  it('keeps a self-declared team as a label on an open gateway, without selecting a team budget', async () => {
    const { gateway, rows } = await gatewayWith({ budgets: [{ scope: 'team:tiny', limit_usd: '0.00005', period: 'day' }] });
    await gateway.chat({ model: 'cheap', max_tokens: 20, messages: [{ role: 'user', content: 'open' }] }, { tags: { team: 'tiny' } });
    expect(rows[0].tags.team).toBe('tiny');
    expect((await gateway.spendControl.store.usage({ id: 'team:tiny', limitNanos: 100_000, period: 'day', hard: true })).spentNanos).toBe(0);
    await gateway.close();
  });
});

describe('budgets on the request path', () => {
  it('refuses with 429 budget_exceeded, naming the budget, once a hard budget cannot hold the call', async () => {
    // $0.0003 a month for team growth: worst case per call ≈ (9 prompt + 20 out) tokens → ~49 000 nano-dollars.
    const { gateway, rows } = await gatewayWith({ budgets: [{ scope: 'team:growth', limit_usd: '0.0003', period: 'month' }] });
    let refused;
    for (let i = 0; i < 20 && !refused; i += 1) {
      try {
        await ask(gateway, 'cheap', `hello ${i}`);
      } catch (error) {
        refused = error;
      }
    }
    expect(refused).toMatchObject({ code: 'budget_exceeded', status: 429 });
    expect((refused as Error).message).toContain("team:growth (month)");
    const spent = rows.reduce((sum, row) => sum + row.costNanos, 0);
    expect(spent).toBeLessThanOrEqual(300_000);
    const usage = await gateway.spendControl.store.usage({ id: 'team:growth', limitNanos: 300_000, period: 'month', hard: true });
    expect(usage.spentNanos).toBe(spent);
    expect(usage.reservedNanos).toBe(0);
    await gateway.close();
  });

  it('checks a fallback to a pricier model against the budget before calling it', async () => {
    const { gateway } = await gatewayWith({
      budgets: [{ scope: 'global', limit_usd: '0.001', period: 'day' }],
      routes: { safe: { strategy: 'fallback', chain: ['cheap', 'dear'], retries: { attempts: 1 } } },
    });
    const before = upstream.requests.length;
    // cheap fails with 503; dear's worst case (~6 000 000 nano-dollars) does not fit in $0.001.
    await expect(ask(gateway, 'safe', 'x [[mock(up):status=503]]')).rejects.toMatchObject({ code: 'budget_exceeded' });
    expect(upstream.requests.length - before).toBe(1);
    const usage = await gateway.spendControl.store.usage({ id: 'global', limitNanos: 1_000_000, period: 'day', hard: true });
    expect(usage.reservedNanos).toBe(0);
    await gateway.close();
  });

  it('bounds an uncapped request with max_tokens so the reservation is a real upper bound, and says so', async () => {
    const { gateway } = await gatewayWith({ budgets: [{ scope: 'global', limit_usd: 1, period: 'day' }], spend_control: { default_max_tokens: 256 } });
    const reply = await gateway.chat({ model: 'cheap', messages: [{ role: 'user', content: 'hi' }] });
    expect(upstream.requests.at(-1)!.body!.max_tokens).toBe(256);
    expect(reply.context.warnings.join(' ')).toContain('max_tokens set to 256');
    await gateway.close();
  });

  it('downgrades to the cheaper route once a soft budget is used up', async () => {
    const { gateway } = await gatewayWith({ budgets: [{ scope: 'team:growth', limit_usd: '0.000001', period: 'month', hard: false, downgrade_to: 'cheap' }] });
    await ask(gateway, 'dear', 'first');
    const second = await ask(gateway, 'dear', 'second');
    expect(second.meta.model.name).toBe('cheap');
    expect(second.context.warnings.join(' ')).toContain("downgraded to 'cheap'");
    await gateway.close();
  });
});

describe('virtual key limits', () => {
  const key = (extra: Partial<CallerKey>): CallerKey => ({ id: 'vk_test', team: null, allowedModels: null, budget: null, rateLimits: { rpm: null, tpm: null }, defaultTags: {}, ...extra });

  it('refuses models the key may not use with 403', async () => {
    const { gateway } = await gatewayWith({});
    await expect(ask(gateway, 'dear', 'x', {}, key({ allowedModels: ['cheap'] }))).rejects.toMatchObject({ code: 'permission_denied', status: 403 });
    await expect(ask(gateway, 'cheap', 'x', {}, key({ allowedModels: ['cheap'] }))).resolves.toMatchObject({ kind: 'response' });
    await gateway.close();
  });

  it('enforces requests per minute with a Retry-After', async () => {
    const { gateway } = await gatewayWith({});
    const limited = key({ id: 'vk_rpm', rateLimits: { rpm: 3, tpm: null } });
    for (let i = 0; i < 3; i += 1) await ask(gateway, 'cheap', `r${i}`, {}, limited);
    const error = await ask(gateway, 'cheap', 'r4', {}, limited).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'rate_limit_exceeded', status: 429 });
    expect((error as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    await gateway.close();
  });

  it("enforces a key's own budget", async () => {
    const { gateway } = await gatewayWith({});
    const tight = key({ id: 'vk_budget', budget: { limitUsd: '0.0001', period: 'day', hard: true } });
    const outcomes = [];
    for (let i = 0; i < 6; i += 1) outcomes.push(await ask(gateway, 'cheap', `b${i}`, {}, tight).then(() => 'ok', (error: { code: string }) => error.code));
    expect(outcomes).toContain('budget_exceeded');
    expect(outcomes[0]).toBe('ok');
    await gateway.close();
  });
});

describe('embeddings are no side door', () => {
  it('apply key permissions and budgets to /v1/embeddings too', async () => {
    const { gateway } = await gatewayWith({ budgets: [{ scope: 'team:growth', limit_usd: '0.000001', period: 'day' }] });
    const key: CallerKey = { id: 'vk_embed', team: 'growth', allowedModels: ['cheap'], budget: null, rateLimits: { rpm: null, tpm: null }, defaultTags: {} };
    await expect(gateway.embeddings({ model: 'embed', input: 'hello' }, { key })).rejects.toMatchObject({ code: 'permission_denied' });
    // $0.000001 cannot hold even one embedding at $100 per 1M tokens.
    await expect(gateway.embeddings({ model: 'embed', input: 'hello world' }, { key: { ...key, allowedModels: null } })).rejects.toMatchObject({ code: 'budget_exceeded' });
    await gateway.close();
  });
});
