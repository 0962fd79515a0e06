import { masterKeyGuard } from '../master-key-guard.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ReportQuery } from '../../ledger/ledger-store.js';
import { REPORT_DIMENSION_NAMES } from '../../ledger/report-dimensions.js';
import { parseSince } from '../../ledger/report-format.js';
import { parseCreateKeyRequest } from '../../keys/create-key-request.js';
import type { KeyAuthenticator } from '../../keys/key-cache.js';
import { toKeyJson } from '../../keys/key-json.js';
import { keyNotFound } from '../../keys/key-not-found.js';
import type { IssuedKey, KeyStore } from '../../keys/key-store.js';

export interface AdminRoutesOptions {
  store: KeyStore;
  /** Told about every change so this instance's cache and open/closed state follow at once. */
  authenticator: Pick<KeyAuthenticator, 'invalidate' | 'refresh'>;
  /** FRUGAL_MASTER_KEY; unset or empty disables the admin API (every route answers 403). */
  masterKey: string | undefined;
  /** Ledger report for GET /admin/spend; the route answers not_supported without it. */
  spend?: (query: ReportQuery) => Promise<unknown>;
  now?: () => number;
}

const listQuerySchema = z.object({ include_revoked: z.enum(['true', 'false', '1', '0']).optional() });
const spendQuerySchema = z.object({
  by: z.enum(REPORT_DIMENSION_NAMES as [ReportQuery['by'], ...Array<ReportQuery['by']>]),
  since: z.string().optional(),
  until: z.string().optional(),
});

function invalidQuery(error: z.ZodError): FrugalError {
  const issue = error.issues[0];
  const param = issue.path.map(String).join('.');
  return new FrugalError('invalid_request', `Invalid '${param}': ${issue.message}`, { param: param || null });
}

function timeBound(text: string | undefined, now: number, param: 'since' | 'until'): number | undefined {
  if (text === undefined) return undefined;
  try {
    return parseSince(text, now, param);
  } catch (error) {
    // parseSince speaks in CLI flags (--since); here the name is a query parameter.
    if (error instanceof FrugalError) throw new FrugalError('invalid_request', error.message.replace(/^--/, ''), { param });
    throw error;
  }
}

/** JSON that may hold bigint sums (ledger reports): written as exact decimal strings. */
function exactJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
}

/**
 * The admin API under /admin, guarded by `Authorization: Bearer <FRUGAL_MASTER_KEY>` (compared in constant
 * time). Plaintext keys appear only in the responses to create and rotate, marked no-store; lists and
 * reads carry no secret and no hash. Errors are FrugalErrors for the app's one error renderer.
 *
 * @example
 * registerAdminRoutes(app, { store, authenticator, masterKey: process.env.FRUGAL_MASTER_KEY });
 */
export function registerAdminRoutes(app: FastifyInstance, { store, authenticator, masterKey, spend, now = Date.now }: AdminRoutesOptions): void {
  // onRequest runs before the body is read: an unauthenticated caller gets nothing parsed on its behalf.
  const onRequest = masterKeyGuard(masterKey);

  // 'master': these routes answer to the master key above, never to a virtual key (see route-access.ts).
  const guarded = { onRequest, config: { access: 'master' as const } };

  function sendIssued(reply: FastifyReply, status: number, { key, plaintext }: IssuedKey) {
    // The only responses that carry a plaintext: no cache along the way may keep them.
    return reply.code(status).header('cache-control', 'no-store').send({ ...toKeyJson(key, now()), key: plaintext });
  }

  app.post('/admin/keys', guarded, async (request, reply) => {
    const input = parseCreateKeyRequest(request.body, now());
    const issued = await store.create(input);
    // Other instances re-count too (they share invalidations over Redis when it is configured).
    await authenticator.invalidate(issued.key.id);
    // The first key closes an open gateway: this instance must know before the response goes out.
    await authenticator.refresh();
    return sendIssued(reply, 201, issued);
  });

  app.get('/admin/keys', guarded, async (request) => {
    const parsed = listQuerySchema.safeParse(request.query);
    if (!parsed.success) throw invalidQuery(parsed.error);
    const includeRevoked = parsed.data.include_revoked === 'true' || parsed.data.include_revoked === '1';
    const at = now();
    return { object: 'list', data: (await store.list({ includeRevoked })).map((key) => toKeyJson(key, at)) };
  });

  app.get<{ Params: { id: string } }>('/admin/keys/:id', guarded, async (request) => {
    const key = await store.get(request.params.id);
    if (!key) throw keyNotFound(request.params.id);
    return toKeyJson(key, now());
  });

  app.post<{ Params: { id: string } }>('/admin/keys/:id/revoke', guarded, async (request) => {
    const key = await store.revoke(request.params.id);
    await authenticator.invalidate(key.id);
    await authenticator.refresh();
    return toKeyJson(key, now());
  });

  app.post<{ Params: { id: string } }>('/admin/keys/:id/rotate', guarded, async (request, reply) => {
    const issued = await store.rotate(request.params.id);
    await authenticator.invalidate(issued.key.id);
    return sendIssued(reply, 200, issued);
  });

  app.get('/admin/spend', guarded, async (request, reply) => {
    if (!spend) throw new FrugalError('not_supported', 'Spend reports need the ledger, which is turned off in this gateway\'s config.');
    const parsed = spendQuerySchema.safeParse(request.query);
    if (!parsed.success) throw invalidQuery(parsed.error);
    const at = now();
    const since = timeBound(parsed.data.since, at, 'since');
    const until = timeBound(parsed.data.until, at, 'until');
    const report = await spend({ by: parsed.data.by, since, until });
    return reply.type('application/json; charset=utf-8').send(exactJson(report));
  });
}
