import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { FrugalError } from '../errors/frugal-error.js';
import { extractPresentedKey } from '../keys/extract-presented-key.js';
import type { KeyAuthenticator } from '../keys/key-cache.js';
import { secretsMatch } from '../keys/key-secret.js';
import { isReportDimension } from '../ledger/report-dimensions.js';
import { parseReportFilter, type ReportFilter } from '../ledger/report-filter.js';
import { parseSince } from '../ledger/report-format.js';
import type { ReportDimension } from '../ledger/ledger-store.js';
import { budgetsData, cacheData, type DashboardSources, liveData, overviewData, qualityData, routingData, spendCsv, spendData, type Window } from './dashboard-data.js';
import { experimentData, recordReview, reviewQueueData } from './quality-extras.js';
import { keyStatus } from '../keys/virtual-key.js';
import { cookieValue, createDashboardSessions, type DashboardViewer, SESSION_COOKIE, SESSION_TTL_MS, sessionSigningKey } from './dashboard-session.js';

export interface DashboardOptions extends DashboardSources {
  /** The built page (index.html, app.js, app.css): dist/dashboard-web unless a test builds its own. */
  assetsDir: string;
  /** FRUGAL_MASTER_KEY: the full view. Unset with no virtual keys: the dashboard is open, with a banner. */
  masterKey: string | undefined;
  authenticator?: Pick<KeyAuthenticator, 'authenticate' | 'requiredNow'>;
  /** Read per request: a reload that adds providers ends demo mode, and the banner with it. */
  demoMode: () => boolean;
  /** admin.session_secret: signs sessions so that every replica accepts the others' (see sessionSigningKey). */
  sessionSecret?: string;
  /** The secret `frugal serve --workers N` handed this worker, so that its siblings accept its sessions. */
  inheritedSessionSecret?: string;
}

const ASSET = /^[A-Za-z0-9_-]+\.(js|css|html|map)$/;
const TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8', html: 'text/html; charset=utf-8', map: 'application/json' };
// Everything is served from this origin: no CDN, no inline script; styles may be set by the chart library.
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function exactJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
}

function bound(text: unknown, now: number, param: 'since' | 'until'): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (typeof text !== 'string') throw new FrugalError('invalid_request', `${param} must be given once`, { param });
  if (/^\d{10,}$/.test(text)) return Number(text);
  try {
    return parseSince(text, now, param);
  } catch (error) {
    throw new FrugalError('invalid_request', (error as Error).message.replace(/^--/, ''), { param });
  }
}

function dimension(text: unknown, param: string): ReportDimension | undefined {
  if (text === undefined || text === '') return undefined;
  if (typeof text !== 'string' || !isReportDimension(text)) throw new FrugalError('invalid_request', `${param} must be a report dimension, got ${JSON.stringify(text)}`, { param });
  return text;
}

function filters(text: unknown): ReportFilter[] {
  const list = text === undefined ? [] : Array.isArray(text) ? text : [text];
  return list.filter((item): item is string => typeof item === 'string' && item !== '').map((item) => parseReportFilter(item, 'where'));
}

/**
 * The dashboard (issue 15): the page at GET /dashboard (bundled at build time, no CDN) and its JSON under
 * /admin/api. Reads go through the ledger reader's hourly rollup, so each number equals `frugal report` for the
 * same window and filter. Who sees what: the master key everything; a virtual key its own rows only; on a gateway
 * with neither a master key nor virtual keys the dashboard is open and every reply says so (`open: true`).
 * A login trades the key for a signed session cookie valid one hour; no key is ever shown.
 *
 * @example
 * registerDashboard(app, { reader, budgets: [], now: Date.now, assetsDir, masterKey, demoMode: () => false });
 */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions): void {
  const master = options.masterKey ? options.masterKey : undefined;
  const sessions = createDashboardSessions({ now: options.now, masterKey: master, secret: sessionSigningKey({ configured: options.sessionSecret, masterKey: master, inherited: options.inheritedSessionSecret }) });
  const open = () => master === undefined && !(options.authenticator?.requiredNow() ?? false);

  /** Who a presented key is, with the key's last rotation (a session signed in with it ends at the next one). */
  async function signInOf(presented: string): Promise<{ viewer: Exclude<DashboardViewer, { kind: 'open' }>; keyRotatedAt: number | null }> {
    if (master !== undefined && secretsMatch(master, presented)) return { viewer: { kind: 'admin' }, keyRotatedAt: null };
    const key = await options.authenticator?.authenticate(presented);
    if (key) return { viewer: { kind: 'key', keyId: key.id }, keyRotatedAt: key.rotatedAt };
    throw new FrugalError('invalid_api_key', 'The dashboard needs the master key (FRUGAL_MASTER_KEY) or a virtual key; the key given is missing or wrong.');
  }

  /**
   * A key's session ends with the key: revoked or expired since sign-in, or rotated after it (the plaintext it was
   * signed in with no longer works), it no longer shows that key's spend.
   */
  async function stillValid({ viewer, keyRotatedAt }: { viewer: Exclude<DashboardViewer, { kind: 'open' }>; keyRotatedAt: number | null }): Promise<boolean> {
    if (viewer.kind !== 'key') return true;
    const key = await options.keys?.get(viewer.keyId);
    return key !== undefined && keyStatus(key, options.now()) === 'active' && key.rotatedAt === keyRotatedAt;
  }

  async function viewerOf(request: FastifyRequest): Promise<DashboardViewer> {
    const presented = extractPresentedKey(request.headers);
    if (presented !== undefined) return (await signInOf(presented)).viewer;
    const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
    const session = token === undefined ? undefined : sessions.verify(token);
    if (session && (await stillValid(session))) return session.viewer;
    if (open()) return { kind: 'open' };
    throw new FrugalError('invalid_api_key', 'Sign in to the dashboard with the master key or a virtual key (POST /admin/api/session with Authorization: Bearer <key>).');
  }

  const viewers = new WeakMap<FastifyRequest, DashboardViewer>();
  // 'master': these routes guard themselves (below), whatever the gateway's virtual-key rule says.
  const guarded = {
    config: { access: 'master' as const },
    onRequest: async (request: FastifyRequest) => {
      viewers.set(request, await viewerOf(request));
    },
  };
  const viewer = (request: FastifyRequest) => viewers.get(request)!;
  const send = (reply: FastifyReply, body: unknown) => reply.header('cache-control', 'no-store').type('application/json; charset=utf-8').send(exactJson(body));
  const windowOf = (query: Record<string, unknown>): Window => {
    const now = options.now();
    const since = bound(query.since, now, 'since');
    const until = bound(query.until, now, 'until');
    if (since !== undefined && until !== undefined && since >= until) throw new FrugalError('invalid_request', 'since must be before until', { param: 'since' });
    return { since, until };
  };

  // Checked in onRequest, before the body is read: a caller without a valid key gets nothing parsed on its behalf.
  const signIns = new WeakMap<FastifyRequest, Awaited<ReturnType<typeof signInOf>>>();
  const signIn = async (request: FastifyRequest) => {
    const presented = extractPresentedKey(request.headers);
    if (presented === undefined) throw new FrugalError('invalid_api_key', 'Send the master key or a virtual key as Authorization: Bearer <key> to sign in.');
    signIns.set(request, await signInOf(presented));
  };
  app.post('/admin/api/session', { config: { access: 'master' }, onRequest: signIn }, async (request, reply) => {
    const { viewer: signedIn, keyRotatedAt } = signIns.get(request)!;
    const cookie = `${SESSION_COOKIE}=${sessions.issue(signedIn, keyRotatedAt)}; HttpOnly; SameSite=Strict; Path=/admin/api; Max-Age=${SESSION_TTL_MS / 1000}`;
    return send(reply.header('set-cookie', cookie), { viewer: signedIn, expiresInSeconds: SESSION_TTL_MS / 1000 });
  });

  app.delete('/admin/api/session', { config: { access: 'public' } }, async (_request, reply) => send(reply.header('set-cookie', `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/admin/api; Max-Age=0`), { signedOut: true }));

  // Answers 200 even to a caller not signed in (`viewer: null`): the page asks this first, and a 401 would be logged.
  app.get('/admin/api/whoami', { config: { access: 'master' } }, async (request, reply) => {
    let who: DashboardViewer;
    try {
      who = await viewerOf(request);
    } catch (error) {
      if (error instanceof FrugalError && error.code === 'invalid_api_key') return send(reply, { viewer: null, open: false, demoMode: options.demoMode(), banner: null, now: options.now() });
      throw error;
    }
    const banner = who.kind !== 'open' ? null : 'Open dashboard: this gateway has no master key and no virtual keys, so anyone who can reach this port sees its spend. Set FRUGAL_MASTER_KEY to close it.';
    return send(reply, { viewer: who, open: who.kind === 'open', demoMode: options.demoMode(), banner, now: options.now() });
  });

  app.get('/admin/api/overview', guarded, async (request, reply) => {
    const { until } = windowOf(request.query as Record<string, unknown>);
    return send(reply, await overviewData(options, viewer(request), until));
  });

  app.get('/admin/api/spend', guarded, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const by = dimension(query.by, 'by') ?? 'model';
    const spend = { by, then: dimension(query.then, 'then'), where: filters(query.where), ...windowOf(query) };
    if (query.format === 'csv') {
      const csv = await spendCsv(options, viewer(request), spend);
      return reply.header('cache-control', 'no-store').header('content-disposition', `attachment; filename="frugal-spend-by-${by}.csv"`).type('text/csv; charset=utf-8').send(csv);
    }
    return send(reply, await spendData(options, viewer(request), spend));
  });

  app.get('/admin/api/routing', guarded, async (request, reply) => send(reply, await routingData(options, viewer(request), windowOf(request.query as Record<string, unknown>))));
  app.get('/admin/api/cache', guarded, async (request, reply) => send(reply, await cacheData(options, viewer(request), windowOf(request.query as Record<string, unknown>))));
  app.get('/admin/api/budgets', guarded, async (request, reply) => send(reply, await budgetsData(options, viewer(request))));
  app.get('/admin/api/quality', guarded, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    return send(reply, await qualityData(options, viewer(request), { ...windowOf(query), name: typeof query.name === 'string' ? query.name : undefined }));
  });
  app.get('/admin/api/experiments', guarded, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
    return send(reply, await experimentData(options, viewer(request), { ...windowOf(query), name: text(query.name), score: text(query.score) }));
  });
  app.get('/admin/api/review', guarded, async (request, reply) => {
    const query = request.query as Record<string, unknown>;
    const limit = Number(query.limit ?? 20);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 200) throw new FrugalError('invalid_request', 'limit must be an integer from 1 to 200', { param: 'limit' });
    return send(reply, await reviewQueueData(options, viewer(request), { route: typeof query.route === 'string' && query.route !== '' ? query.route : undefined, limit }));
  });
  app.post<{ Params: { requestId: string } }>('/admin/api/review/:requestId', guarded, async (request, reply) => send(reply, await recordReview(options, viewer(request), request.params.requestId, request.body)));
  app.get('/admin/api/live', guarded, async (request, reply) => {
    const limit = Number((request.query as Record<string, unknown>).limit ?? 50);
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > 500) throw new FrugalError('invalid_request', 'limit must be an integer from 1 to 500', { param: 'limit' });
    return send(reply, await liveData(options, viewer(request), limit));
  });

  async function asset(reply: FastifyReply, name: string) {
    const match = ASSET.exec(name);
    if (!match) throw new FrugalError('not_found', `No dashboard file '${name}'.`);
    let body: Buffer;
    try {
      body = await readFile(join(options.assetsDir, name));
    } catch {
      throw new FrugalError('not_found', name === 'index.html' ? 'The dashboard is not built: run `npm run build`.' : `No dashboard file '${name}'.`);
    }
    return reply.headers(PAGE_HEADERS).header('cache-control', 'no-cache').type(TYPES[match[1]]).send(body);
  }
  // The page and its files hold no data: public, like a login page. Data needs a key (above).
  app.get('/dashboard', { config: { access: 'public' } }, async (_request, reply) => asset(reply, 'index.html'));
  app.get<{ Params: { file: string } }>('/dashboard/:file', { config: { access: 'public' } }, async (request, reply) => asset(reply, request.params.file || 'index.html'));
}
