import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASTER_KEY, startFuzzGateway, type FuzzGateway } from './fuzz-gateway.js';
import { authorizationHeaders, ENDPOINTS, hostileHeaders, isPublicPath, pathVariant, presentsValidKey } from './fuzz-requests.js';
import { assertFuzz } from './fuzz-run.js';
import { hostileFragment, hostileString, objectText } from './hostile.js';
import { abbreviate, sendRaw, type RawRequest } from './raw-http.js';
import { expectWellFormedReply } from './reply-invariants.js';

// Virtual keys on (one key exists, so every /v1 call needs it) and the admin API enabled; SQLite ledger.
let frugal: FuzzGateway;
beforeAll(async () => {
  frugal = await startFuzzGateway({ ledger: 'sqlite', keys: true });
});
afterAll(async () => frugal?.close());

const describeRequest = (request: RawRequest) => `${request.method} ${JSON.stringify(abbreviate(request.path, 200))} headers=${abbreviate(JSON.stringify(request.headers))}`;

/** The shape invariant, plus access: without the right credential nothing but the public endpoints succeeds. */
async function check(request: RawRequest) {
  const what = describeRequest(request);
  const reply = await sendRaw(frugal.port, request).catch((error: Error) => {
    throw new Error(`${error.message}: ${what}`);
  });
  expectWellFormedReply(reply, what);
  if (reply.status < 300 && !isPublicPath(request.path)) {
    const headers = request.headers ?? [];
    const isAdmin = !request.path.startsWith('/v1/') && /admin/i.test(decodeURIComponentSafe(request.path));
    const allowed = isAdmin ? headers.some(([name, value]) => name === 'authorization' && value.trim() === `Bearer ${MASTER_KEY}`) : presentsValidKey(headers, frugal.apiKey);
    if (!allowed) throw new Error(`served without a valid credential (access bypass): ${what} → ${reply.status}`);
  }
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const endpoint = fc.constantFrom(...ENDPOINTS);

describe('fuzz: headers and paths (keys on)', { timeout: 90_000 }, () => {
  it('answers hostile Frugal and auth headers on every endpoint with a success or an OpenAI-shaped 4xx, and never serves without a key', async () => {
    const credentials = { apiKey: frugal.apiKey, masterKey: MASTER_KEY };
    await assertFuzz(300, [endpoint, authorizationHeaders(credentials), hostileHeaders], async (target, auth, extra) => {
      const contentType: Array<[string, string]> = target.body === undefined || extra.some(([name]) => name === 'content-type') ? [] : [['content-type', 'application/json']];
      await check({ method: target.method, path: target.path, headers: [...auth, ...contentType, ...extra], body: target.body });
    });
  });

  it('decides access on the path the router serves: encodings, case, dot segments and double slashes never get past the keys', async () => {
    const request = fc.constantFrom(...ENDPOINTS).chain((target) => fc.tuple(fc.constant(target), pathVariant(target.path)));
    await assertFuzz(400, [request, fc.boolean()], async ([target, path], json) => {
      const headers: Array<[string, string]> = target.body !== undefined && json ? [['content-type', 'application/json']] : [];
      await check({ method: target.method, path, headers, body: target.body });
    });
  });

  it('answers unknown paths and methods in the error shape', async () => {
    const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'TRACE', 'PROPFIND', 'get');
    const path = fc.oneof(fc.webPath(), fc.constantFrom('/', '*', '/v1', '/v1/', '/v2/chat/completions', '/admin', '/admin/', '/v1/models/', '/v1/chat/completions/x', '/%', '/%%', '/\u00ff'));
    await assertFuzz(150, [method, path], async (verb, target) => {
      const request = { method: verb, path: target.startsWith('/') || target === '*' ? target : `/${target}`, headers: [] };
      if (verb === 'HEAD') {
        // A HEAD reply has no body to shape: only its status is checked.
        const reply = await sendRaw(frugal.port, request);
        if (reply.status >= 500) throw new Error(`status outside 2xx/4xx: ${describeRequest(request)} → ${reply.status}`);
        return;
      }
      await check(request);
    });
  });

  it('answers hostile admin bodies, ids and queries (with the master key) with a success or an OpenAI-shaped 4xx', async () => {
    const master: Array<[string, string]> = [['authorization', `Bearer ${MASTER_KEY}`], ['content-type', 'application/json']];
    const keyFields = fc.array(fc.tuple(fc.constantFrom('name', 'team', 'models', 'tags', 'budget', 'rpm', 'tpm', 'expires_at', 'limit_usd', 'period'), hostileFragment), { maxLength: 5 });
    const id = hostileString.map((text) => encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '?')));
    const request = fc.oneof(
      keyFields.map((fields): RawRequest => ({ method: 'POST', path: '/admin/keys', headers: master, body: objectText(fields) })),
      fc.tuple(id, fc.constantFrom('revoke', 'rotate', '')).map(([key, action]): RawRequest => ({ method: action ? 'POST' : 'GET', path: `/admin/keys/${key}${action ? `/${action}` : ''}`, headers: master })),
      fc.tuple(id, id, id).map(([by, since, until]): RawRequest => ({ method: 'GET', path: `/admin/spend?by=${by}&since=${since}&until=${until}`, headers: master })),
      fc.constantFrom('model', 'key', 'team', 'day').chain((by) => id.map((since): RawRequest => ({ method: 'GET', path: `/admin/spend?by=${by}&since=${since}`, headers: master }))),
    );
    await assertFuzz(150, [request], check);
  });

  it('still serves, moved no circuit breaker, and the SQLite ledger still writes', async () => {
    expect(frugal.breakerMoves).toEqual([]);
    await frugal.expectLedgerStillWriting();
  });
});
