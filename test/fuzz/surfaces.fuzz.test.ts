import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_MODEL } from './fuzz-gateway.js';
import { assertFuzz } from './fuzz-run.js';
import { hostileFragment, hostileString, objectText } from './hostile.js';
import { sendRaw, type RawRequest } from './raw-http.js';
import { bearer, errorOf, expectNoSecret, JSON_TYPE, secretOrHostile, sendChecked, type Header } from './surface-checks.js';
import { SURFACES_MASTER_KEY, startSurfacesGateway, type SurfacesGateway } from './surfaces-gateway.js';

// Feedback, the dashboard's JSON, background-lane headers and the experiment header, as an outside probe meets
// them: the gateway wired like `frugal serve`, keys on (tenants A and B), a master key.
let frugal: SurfacesGateway;
let keyA: string;
let keyB: string;
/** A reply of tenant A's and one of B's, to score. */
let requestA: string;
let requestB: string;

async function chat(key: string, headers: Header[] = [], body: Record<string, unknown> = {}): Promise<string> {
  const reply = await sendChecked(frugal, { method: 'POST', path: '/v1/chat/completions', headers: [bearer(key), JSON_TYPE, ...headers], body: JSON.stringify({ model: CHAT_MODEL, messages: [{ role: 'user', content: 'hi' }], ...body }) });
  if (reply.status !== 200) throw new Error(`a normal chat request failed: ${reply.status} ${reply.body.slice(0, 300)}`);
  return reply.headers['x-request-id'];
}

beforeAll(async () => {
  frugal = await startSurfacesGateway();
  [keyA, keyB] = frugal.apiKeys;
  requestA = await chat(keyA);
  requestB = await chat(keyB);
});
afterAll(async () => frugal?.close());

const requestId = () => fc.oneof(fc.constantFrom(requestA, requestB, `${requestA}x`, requestA.toUpperCase(), '', 'frg-', '../x', '%00'), secretOrHostile(frugal, hostileString));

describe('fuzz: feedback, dashboard, lanes and experiments (keys on)', { timeout: 90_000 }, () => {
  it('answers hostile feedback bodies (Frugal, Portkey and Helicone shapes) with a success or an OpenAI-shaped 4xx, and B never scores A\'s reply', async () => {
    const id = requestId().map((text) => JSON.stringify(text));
    const value = (names: readonly string[]) => fc.array(fc.tuple(fc.constantFrom(...names), fc.oneof(hostileFragment, fc.constantFrom('0', '1', '0.5', 'true', 'false', '-10', '10', '11', '"user"', '"judge"', '{"a":1}'))), { maxLength: 5 });
    const frugalShape = fc.tuple(id, value(['score', 'name', 'comment', 'source', 'metadata', 'request_id', '__proto__'])).map(([target, fields]) => objectText([['request_id', target], ...fields]));
    const portkeyShape = fc.tuple(id, value(['value', 'weight', 'metadata', 'trace_id', 'constructor'])).map(([target, fields]) => objectText([['trace_id', target], ...fields]));
    const body = fc.oneof({ weight: 4, arbitrary: frugalShape }, { weight: 3, arbitrary: portkeyShape }, { weight: 1, arbitrary: hostileFragment }, { weight: 1, arbitrary: fc.constantFrom('', '[]', 'null', '{', '"x"') });
    const helicone = fc.tuple(requestId(), fc.oneof(fc.constantFrom('{"rating":true}', '{"rating":false}', '{"rating":1}', '{}'), hostileFragment)).map(([target, text]): RawRequest => ({ method: 'POST', path: `/v1/request/${encodeURIComponent(target.replace(/[\ud800-\udfff]/g, '?'))}/feedback`, headers: [JSON_TYPE], body: text }));
    const history = requestId().map((target): RawRequest => ({ method: 'GET', path: `/v1/feedback/${encodeURIComponent(target.replace(/[\ud800-\udfff]/g, '?'))}` }));
    const request = fc.oneof({ weight: 4, arbitrary: body.map((text): RawRequest => ({ method: 'POST', path: '/v1/feedback', headers: [JSON_TYPE], body: text })) }, { weight: 2, arbitrary: helicone }, { weight: 1, arbitrary: history });
    await assertFuzz(200, [request, fc.constantFrom('A', 'B', 'master')], async (shape, who) => {
      const key = who === 'A' ? keyA : who === 'B' ? keyB : SURFACES_MASTER_KEY;
      const reply = await sendChecked(frugal, { ...shape, headers: [bearer(key), ...(shape.headers ?? [])] });
      if (reply.status < 300) {
        const text = typeof shape.body === 'string' ? shape.body : '';
        const target = shape.path.startsWith('/v1/request/') || shape.method === 'GET' ? decodeURIComponent(shape.path.split('/')[3]) : text;
        // A tenant scores and reads only its own replies; the master key any.
        if (who === 'A') expect(target, `A reached B's reply: ${shape.method} ${shape.path} ${text.slice(0, 200)}`).not.toContain(requestB);
        if (who === 'B') expect(target, `B reached A's reply: ${shape.method} ${shape.path} ${text.slice(0, 200)}`).not.toContain(requestA);
      }
    });
  });

  it('names the field in each feedback refusal', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ score: 1 }, 'request_id'],
      [{ request_id: 'a b', score: 1 }, 'request_id'],
      [{ request_id: requestA, score: 2 }, 'score'],
      [{ request_id: requestA, score: '1' }, 'score'],
      [{ request_id: requestA, score: 1, name: '' }, 'name'],
      [{ request_id: requestA, score: 1, comment: 'x'.repeat(2_001) }, 'comment'],
      [{ request_id: requestA, score: 1, source: 'judge-of-judges' }, 'source'],
      [{ request_id: requestA, score: 1, metadata: { big: 'x'.repeat(5_000) } }, 'metadata'],
      [{ request_id: requestA, score: 1, socre: 1 }, 'socre'],
      [{ trace_id: requestA, value: 11 }, 'value'],
      [{ trace_id: requestA, value: 1, weight: 2 }, 'weight'],
      [{ trace_id: requestA, value: 1, metadata: 'not json' }, 'metadata'],
      [{ request_id: requestB, score: 1 }, 'request_id'],
      [{ trace_id: requestB, value: 1 }, 'trace_id'],
    ];
    for (const [body, param] of cases) {
      const reply = await sendChecked(frugal, { method: 'POST', path: '/v1/feedback', headers: [bearer(keyA), JSON_TYPE], body: JSON.stringify(body) });
      expect([400, 404], JSON.stringify(body).slice(0, 200)).toContain(reply.status);
      expect(errorOf(reply).param, JSON.stringify(body).slice(0, 200)).toBe(param);
    }
  });

  it('answers hostile dashboard queries with JSON, CSV or an OpenAI-shaped 4xx, and a key sees only its own rows', async () => {
    const DIMENSIONS = ['model', 'key', 'team', 'day', 'hour', 'week', 'route', 'path', 'status', 'cache', 'task', 'overhead', 'feature', 'provider', 'prompt_order'];
    const hostileQuery = hostileString.map((text) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '?')));
    const time = fc.oneof(fc.constantFrom('1h', '24h', '7d', '30d', '0', '-1', '1e309', '9999999999999999', '2025-03-01', '2025-02-30', 'yesterday', '1000000000000', '99999999999999999999', ''), hostileQuery);
    const dimension = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...DIMENSIONS) }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'key;DROP', 'MODEL', '') }, { weight: 1, arbitrary: hostileQuery });
    const filter = fc.oneof(fc.tuple(fc.constantFrom(...DIMENSIONS), fc.constantFrom(frugal.keyIds[0], frugal.keyIds[1], '(none)', "x' OR '1'='1", '%', '')).map(([name, v]) => encodeURIComponent(`${name}=${v}`)), hostileQuery);
    const query = fc.record({
      since: fc.option(time, { nil: undefined }),
      until: fc.option(time, { nil: undefined }),
      by: fc.option(dimension, { nil: undefined }),
      then: fc.option(dimension, { nil: undefined }),
      where: fc.array(filter, { maxLength: 3 }),
      format: fc.option(fc.constantFrom('csv', 'json', 'CSV', ''), { nil: undefined }),
      limit: fc.option(fc.oneof(fc.constantFrom('1', '500', '501', '0', '-1', '1.5', 'NaN', '1e3'), hostileQuery), { nil: undefined }),
      name: fc.option(hostileQuery, { nil: undefined }),
      repeat: fc.option(fc.constantFrom('since', 'until', 'by', 'format', 'limit'), { nil: undefined }),
    });
    const page = fc.constantFrom('overview', 'spend', 'routing', 'cache', 'budgets', 'quality', 'live', 'whoami');
    await assertFuzz(200, [page, query, fc.constantFrom('A', 'B', 'master')], async (name, q, who) => {
      const params: string[] = [];
      for (const field of ['since', 'until', 'by', 'then', 'format', 'limit', 'name'] as const) if (q[field] !== undefined) params.push(`${field}=${q[field]}`);
      for (const item of q.where) params.push(`where=${item}`);
      if (q.repeat !== undefined) params.push(`${q.repeat}=1h`);
      const path = `/admin/api/${name}${params.length > 0 ? `?${params.join('&')}` : ''}`;
      const key = who === 'A' ? keyA : who === 'B' ? keyB : SURFACES_MASTER_KEY;
      const reply = await sendChecked(frugal, { method: 'GET', path, headers: [bearer(key)] });
      // A virtual key's view holds its own key id only, whatever filter it asked for.
      if (reply.status === 200 && who !== 'master') {
        const other = who === 'A' ? frugal.keyIds[1] : frugal.keyIds[0];
        expect(reply.body, `${who} saw the other key's rows: ${path}`).not.toContain(other);
      }
    });
  });

  it('serves no dashboard data without a key, with a wrong key, or with a forged session cookie', async () => {
    const pages = ['overview', 'spend', 'spend?format=csv', 'routing', 'cache', 'budgets', 'quality', 'live'];
    const credentials: Header[][] = [[], [bearer('')], [bearer(`${SURFACES_MASTER_KEY}x`)], [bearer(keyA.slice(0, -1))], [['cookie', 'frugal_dashboard=forged']], [['cookie', `frugal_dashboard=${keyA}`]], [['cookie', 'frugal_dashboard=eyJraW5kIjoiYWRtaW4ifQ.x']]];
    for (const page of pages) {
      for (const credential of credentials) {
        const reply = await sendChecked(frugal, { method: 'GET', path: `/admin/api/${page}`, headers: credential });
        expect(reply.status, `${page} with ${JSON.stringify(credential)}`).toBe(401);
      }
    }
    // whoami answers everyone, and tells a caller without a session nothing.
    const whoami = await sendChecked(frugal, { method: 'GET', path: '/admin/api/whoami', headers: [] });
    expect(JSON.parse(whoami.body)).toMatchObject({ viewer: null, open: false });
  });

  it("gives a virtual key exactly its own totals, whatever it filters by, and its session opens nothing else", async () => {
    await frugal.expectLedgerStillWriting();
    type Spend = { rows: Array<{ group: string | null; requests: number; costNanos: string }>; total: { requests: number; costNanos: string } };
    const spend = async (key: string, query: string) => JSON.parse((await sendChecked(frugal, { method: 'GET', path: `/admin/api/spend?${query}`, headers: [bearer(key)] })).body) as Spend;
    const all = await spend(SURFACES_MASTER_KEY, 'by=key');
    const ownRow = all.rows.find((row) => row.group === frugal.keyIds[1]);
    expect(ownRow, 'B made a request in beforeAll').toBeDefined();
    for (const query of ['by=model', 'by=key', `by=key&where=${encodeURIComponent(`key=${frugal.keyIds[0]}`)}`, 'by=status&then=key', `by=model&where=${encodeURIComponent('key=(none)')}`]) {
      const seen = await spend(keyB, query);
      // Asking for A's key (or for rows without a key) shows B nothing more than its own.
      expect(BigInt(seen.total.costNanos) <= BigInt(ownRow!.costNanos), query).toBe(true);
      expect(seen.total.requests <= ownRow!.requests, query).toBe(true);
    }
    expect((await spend(keyB, 'by=key')).total).toMatchObject({ requests: ownRow!.requests, costNanos: ownRow!.costNanos });
    // A dashboard session is for /admin/api only: it is no key for /v1 or the admin API.
    const session = await sendChecked(frugal, { method: 'POST', path: '/admin/api/session', headers: [bearer(keyB)] });
    const cookie: Header = ['cookie', session.headers['set-cookie'].split(';')[0]];
    for (const [method, path] of [['GET', '/v1/models'], ['GET', '/v1/files'], ['GET', '/v1/batches'], ['GET', `/v1/feedback/${requestB}`], ['GET', '/admin/keys'], ['GET', '/admin/spend']]) {
      expect((await sendChecked(frugal, { method, path, headers: [cookie] })).status, `${method} ${path} with B's dashboard cookie`).toBe(401);
    }
    const live = await sendChecked(frugal, { method: 'GET', path: '/admin/api/live?limit=500', headers: [cookie] });
    expect(live.status).toBe(200);
    expect(live.body).not.toContain(frugal.keyIds[0]);
    expect(live.body).not.toContain(requestA);
  });

  it('serves no feedback route without a key, with or without the /v1 prefix', async () => {
    const routes: RawRequest[] = [
      { method: 'POST', path: '/v1/feedback', headers: [JSON_TYPE], body: JSON.stringify({ request_id: requestA, score: 1 }) },
      { method: 'POST', path: '/feedback', headers: [JSON_TYPE], body: JSON.stringify({ request_id: requestA, score: 1 }) },
      { method: 'POST', path: `/v1/request/${requestA}/feedback`, headers: [JSON_TYPE], body: '{"rating":true}' },
      { method: 'POST', path: `/request/${requestA}/feedback`, headers: [JSON_TYPE], body: '{"rating":true}' },
      { method: 'GET', path: `/v1/feedback/${requestA}` },
      { method: 'GET', path: `/feedback/${requestA}` },
    ];
    for (const route of routes) {
      for (const credential of [[], [bearer('')], [bearer(`${keyA}x`)], [['x-api-key', 'fk-vk_guessed-0000']]] as Header[][]) {
        const reply = await sendChecked(frugal, { ...route, headers: [...credential, ...(route.headers ?? [])] });
        expect(reply.status, `${route.method} ${route.path} with ${JSON.stringify(credential)}`).toBe(401);
      }
    }
  });

  it('exports no spreadsheet formula in the dashboard CSV, whatever tags callers send', async () => {
    const formulas = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)', '\t=1', '=cmd|\' /C calc\'!A0'];
    for (const formula of formulas) await chat(keyA, [['x-frugal-tags', `feature=${formula}`]]);
    await frugal.expectLedgerStillWriting();
    for (const query of ['by=feature', 'by=model&then=feature', 'by=feature&then=model']) {
      const reply = await sendChecked(frugal, { method: 'GET', path: `/admin/api/spend?${query}&format=csv`, headers: [bearer(SURFACES_MASTER_KEY)] });
      expect(reply.status).toBe(200);
      expect(reply.headers['content-type']).toContain('text/csv');
      // The tags did arrive (escaped where they lead a cell), so the check below has something to check.
      if (query.startsWith('by=feature')) expect(reply.body, query).toMatch(/(^|,|")'[=+@-]/m);
      for (const line of reply.body.split('\r\n').filter(Boolean)) {
        // Cells split on commas outside quotes; a quoted cell is judged by its content.
        for (const cell of line.match(/("([^"]|"")*"|[^,]*)(?=,|$)/g) ?? []) {
          const content = cell.startsWith('"') ? cell.slice(1, -1).replaceAll('""', '"') : cell;
          expect(content, `${query}: ${line}`).not.toMatch(/^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/);
        }
      }
    }
  });

  it('answers hostile lane headers and service_tier on every endpoint with a success or an OpenAI-shaped 4xx, in time', async () => {
    const priority = fc.oneof(fc.constantFrom('background', 'realtime', 'BACKGROUND', ' background ', 'batch', 'low', '', 'background, realtime'), hostileString.map((text) => text.replace(/[\r\n\u0000]/g, '')));
    const deadline = fc.oneof(fc.constantFrom('90s', '15m', '2h', '1d', '0', '0s', '-1s', '1.5s', '999999999d', '1e309s', '10 s', '5ms', '1', 'soon', '100000000000000000000', ''), hostileString.map((text) => text.replace(/[\r\n\u0000]/g, '')));
    const tier = fc.oneof(fc.constantFrom('"flex"', '"auto"', '"default"', '"priority"', '"scale"', '"FLEX"', 'null'), hostileFragment);
    // /v1/messages answers in Anthropic's error shape and /v1/responses streams without [DONE]: both are checked
    // by their own suites; here the OpenAI-shaped endpoints.
    const endpoint = fc.constantFrom('/v1/chat/completions', '/v1/embeddings', '/v1/responses');
    await assertFuzz(120, [endpoint, fc.option(priority, { nil: undefined }), fc.option(deadline, { nil: undefined }), fc.option(tier, { nil: undefined }), fc.boolean()], async (path, lane, due, serviceTier, stream) => {
      const headers: Header[] = [bearer(keyA), JSON_TYPE];
      if (lane !== undefined) headers.push(['x-frugal-priority', lane]);
      if (due !== undefined) headers.push(['x-frugal-deadline', due]);
      const tierField: Array<[string, string]> = serviceTier === undefined ? [] : [['service_tier', serviceTier]];
      const streamField: Array<[string, string]> = stream ? [['stream', 'true']] : [];
      const base: Record<string, Array<[string, string]>> = {
        '/v1/chat/completions': [['model', '"ladder"'], ['messages', '[{"role":"user","content":"hi"}]']],
        '/v1/embeddings': [['model', '"sim-embed"'], ['input', '"hi"']],
        '/v1/responses': [['model', `"${CHAT_MODEL}"`], ['input', '"hi"']],
      };
      const reply = await sendChecked(frugal, { method: 'POST', path, headers, body: objectText([...base[path], ...tierField, ...(path === '/v1/chat/completions' ? streamField : [])]) });
      // A refused lane header is named as the param, like a body field.
      if (reply.status === 400) {
        const { message, param } = errorOf(reply);
        for (const header of ['x-frugal-priority', 'x-frugal-deadline']) if (message.startsWith(header)) expect(param, message).toBe(header);
      }
      // An experiment arm is said with configured names only: no header injection from the request.
      const arm = reply.headers['x-frugal-experiment'];
      if (arm !== undefined) expect(arm).toMatch(/^split=(a|b)$/);
    });
  });

  it('answers a burst of background work beyond the lane\'s concurrency, every request recorded, none left waiting', async () => {
    const ids = await Promise.all(
      Array.from({ length: 16 }, (_, index) =>
        index % 4 === 3 ? chat(keyB) : chat(keyB, [['x-frugal-priority', 'background'], ['x-frugal-deadline', index % 2 === 0 ? '5s' : '1h']], index % 3 === 0 ? { service_tier: 'flex' } : {}),
      ),
    );
    expect(new Set(ids).size).toBe(16);
    // Each has its ledger row under B's key (feedback finds it), background or not.
    for (const id of ids) expect((await sendChecked(frugal, { method: 'GET', path: `/v1/feedback/${id}`, headers: [bearer(keyB)] })).status).toBe(200);
  });

  it('assigns experiment arms sticky by user whatever the user field holds, and says the arm only with configured names', async () => {
    const user = fc.oneof(hostileFragment, fc.constantFrom('"alice"', '""', '"\\u0000"', '"\\ud800"', `"${'u'.repeat(100_000)}"`));
    const arms = new Map<string, string>();
    await assertFuzz(80, [user, fc.constantFrom('ladder', CHAT_MODEL)], async (value, model) => {
      const reply = await sendChecked(frugal, { method: 'POST', path: '/v1/chat/completions', headers: [bearer(keyA), JSON_TYPE], body: objectText([['model', JSON.stringify(model)], ['messages', '[{"role":"user","content":"hi"}]'], ['user', value]]) });
      const arm = reply.headers['x-frugal-experiment'];
      if (model !== 'ladder' || reply.status !== 200) {
        expect(arm).toBeUndefined();
        return;
      }
      expect(arm).toMatch(/^split=(a|b)$/);
      // An empty user names nobody (experiments/assign-arm.ts): such a request is assigned by its own id, not sticky.
      if (value === '""') return;
      // Sticky: the same user always gets the same arm.
      const before = arms.get(value);
      if (before !== undefined) expect(arm, `user ${value.slice(0, 80)}`).toBe(before);
      arms.set(value, arm);
    });
  });

  it('keeps credentials out of errors and the log, wherever they were sent', async () => {
    for (const secret of [keyA, keyB, SURFACES_MASTER_KEY]) {
      await sendChecked(frugal, { method: 'POST', path: '/v1/feedback', headers: [bearer(keyA), JSON_TYPE], body: JSON.stringify({ request_id: secret, score: 1 }) });
      await sendChecked(frugal, { method: 'POST', path: '/v1/feedback', headers: [bearer(keyA), JSON_TYPE], body: JSON.stringify({ [secret]: 1, request_id: requestA, score: 1 }) });
      await sendChecked(frugal, { method: 'POST', path: '/v1/feedback', headers: [bearer(keyA), JSON_TYPE], body: JSON.stringify({ trace_id: secret, value: 1, metadata: { k: secret } }) });
      await sendChecked(frugal, { method: 'POST', path: `/v1/request/${secret}/feedback`, headers: [bearer(keyA), JSON_TYPE], body: '{"rating":true}' });
      await sendChecked(frugal, { method: 'GET', path: `/v1/feedback/${secret}`, headers: [bearer(keyA)] });
      await sendChecked(frugal, { method: 'GET', path: `/admin/api/spend?by=${secret}&where=${encodeURIComponent(`key=${secret}`)}&since=${secret}`, headers: [bearer(keyA)] });
      await sendChecked(frugal, { method: 'GET', path: `/admin/api/spend?where=${secret}`, headers: [bearer(keyA)] });
      await sendChecked(frugal, { method: 'POST', path: '/v1/chat/completions', headers: [bearer(keyA), JSON_TYPE, ['x-frugal-priority', secret], ['x-frugal-deadline', secret]], body: JSON.stringify({ model: secret, messages: [{ role: 'user', content: 'hi' }] }) });
      await sendChecked(frugal, { method: 'POST', path: '/v1/chat/completions', headers: [bearer(keyA), JSON_TYPE, ['x-frugal-deadline', secret]], body: JSON.stringify({ model: CHAT_MODEL, service_tier: 'flex', messages: [{ role: 'user', content: 'hi' }] }) });
      await sendChecked(frugal, { method: 'GET', path: '/admin/api/overview', headers: [['cookie', `frugal_dashboard=${secret}`]] });
    }
    expectNoSecret(frugal, frugal.log(), () => 'the log');
  });

  it('still serves, and the ledger still writes', async () => {
    await frugal.expectLedgerStillWriting();
    expect((await sendRaw(frugal.port, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });
});
