import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FrugalError } from '../../errors/frugal-error.js';
import { currentScores, type FeedbackEntry, type FeedbackStore, type ScoredRequest } from '../../feedback/feedback-store.js';
import { locateRequest } from '../../feedback/locate-request.js';
import { parseFeedbackBody, parseHeliconeFeedback, parseRequestId, type FeedbackSubmission } from '../../feedback/parse-feedback.js';
import type { RecentRequests } from '../../feedback/recent-requests.js';
import { extractPresentedKey } from '../../keys/extract-presented-key.js';
import type { KeyAuthenticator } from '../../keys/key-cache.js';
import { secretsMatch } from '../../keys/key-secret.js';

export interface FeedbackService {
  store: FeedbackStore;
  /** This instance's requests whose ledger rows may not be flushed yet. */
  recent?: Pick<RecentRequests, 'get'>;
  /** How long an unknown id is looked for again (another instance's unflushed batch), ms; default 0. */
  graceMs?: number;
  /** Injected in tests; default a timer. */
  sleep?: (ms: number) => Promise<unknown>;
}

export interface FeedbackRouteOptions {
  /** Absent when the ledger is disabled: there is nowhere to keep scores, and every route says so. */
  feedback?: FeedbackService;
  keys?: { authenticator: Pick<KeyAuthenticator, 'authenticate' | 'requiredNow'>; masterKey: string | undefined };
}

/** Who is scoring: any request (master key, or a gateway without keys), or only its own key's requests. */
type Scorer = { kind: 'master' } | { kind: 'open' } | { kind: 'key'; keyId: string };

function mayScore(scorer: Scorer, request: ScoredRequest): boolean {
  return scorer.kind !== 'key' || request.keyId === scorer.keyId;
}

function scoredBy(scorer: Scorer): string | null {
  return scorer.kind === 'key' ? scorer.keyId : scorer.kind === 'master' ? 'master' : null;
}

function requestNotFound(id: string, param: string): FrugalError {
  // The same answer for an id that never existed and for another key's request: ids cannot be probed.
  return new FrugalError('not_found', `No request with id '${id}' was found for this key (a reply can be scored once it has finished).`, { param });
}

function feedbackJson(entry: FeedbackEntry) {
  return {
    object: 'feedback',
    id: entry.id,
    request_id: entry.requestId,
    name: entry.name,
    score: entry.score,
    comment: entry.comment,
    source: entry.source,
    metadata: entry.metadata,
    created_at: Math.floor(entry.createdAt / 1000),
  };
}

/**
 * Scores for replies, in three shapes: `POST /v1/feedback` (Frugal's `{ request_id, score, name?, comment?,
 * source? }`, or Portkey's `{ trace_id, value, weight?, metadata? }`), Helicone's `POST /v1/request/{id}/feedback
 * { rating }`, and `GET /v1/feedback/{request_id}` for a request's history and current scores.
 *
 * Access: the route checks keys itself (`access: 'master'` tells route-access.ts to stand aside) because it takes
 * the master key too. A virtual key scores only its own requests; another key's request answers 404, like a
 * missing one (404 rather than 403, so request ids of other tenants cannot be confirmed by probing). The master
 * key, or a gateway without keys, scores any request.
 *
 * @example
 * registerFeedbackRoute(app, { feedback: { store, recent, graceMs: 1_000 }, keys: { authenticator, masterKey } });
 */
export function registerFeedbackRoute(app: FastifyInstance, { feedback, keys }: FeedbackRouteOptions): void {
  const scorers = new WeakMap<FastifyRequest, Scorer>();
  const master = keys?.masterKey ? keys.masterKey : undefined;

  // onRequest: an unauthenticated caller gets no body parsed on its behalf.
  const onRequest = async (request: FastifyRequest) => {
    const presented = extractPresentedKey(request.headers);
    if (master !== undefined && presented !== undefined && secretsMatch(master, presented)) {
      scorers.set(request, { kind: 'master' });
      return;
    }
    if (!keys || !keys.authenticator.requiredNow()) {
      scorers.set(request, { kind: 'open' });
      return;
    }
    const key = presented === undefined ? undefined : await keys.authenticator.authenticate(presented);
    if (!key) {
      throw new FrugalError('invalid_api_key', presented === undefined ? 'Feedback needs an API key: send Authorization: Bearer <virtual key or master key>.' : 'The API key is unknown, revoked or expired.');
    }
    scorers.set(request, { kind: 'key', keyId: key.id });
  };
  const guarded = { onRequest, config: { access: 'master' as const } };

  function service(): FeedbackService {
    if (!feedback) throw new FrugalError('not_supported', 'Feedback is kept in the ledger\'s database, and the ledger is disabled (ledger.enabled: false).');
    return feedback;
  }

  async function target(request: FastifyRequest, requestId: string, param: string): Promise<ScoredRequest> {
    const { store, recent, graceMs, sleep } = service();
    const scorer = scorers.get(request) ?? { kind: 'open' };
    const found = (await locateRequest(requestId, { store, recent, graceMs, sleep })).find((row) => mayScore(scorer, row));
    if (!found) throw requestNotFound(requestId, param);
    return found;
  }

  async function record(request: FastifyRequest, submission: FeedbackSubmission, param: string): Promise<FeedbackEntry> {
    const scored = await target(request, submission.requestId, param);
    const scorer = scorers.get(request) ?? { kind: 'open' };
    return service().store.add({ ...submission, requestTs: scored.ts, scoredBy: scoredBy(scorer) });
  }

  app.post('/v1/feedback', guarded, async (request) => {
    service();
    const { submission, shape } = parseFeedbackBody(request.body);
    const entry = await record(request, submission, shape === 'portkey' ? 'trace_id' : 'request_id');
    // Portkey's SDKs read this reply shape.
    if (shape === 'portkey') return { status: 'success', message: 'Feedback successfully saved', feedback_ids: [entry.id] };
    return feedbackJson(entry);
  });

  app.post<{ Params: { requestId: string } }>('/v1/request/:requestId/feedback', guarded, async (request) => {
    service();
    await record(request, parseHeliconeFeedback(request.params.requestId, request.body), 'requestId');
    // Helicone's reply: a Result with no data.
    return { data: null, error: null };
  });

  app.get<{ Params: { requestId: string } }>('/v1/feedback/:requestId', guarded, async (request) => {
    const requestId = parseRequestId(request.params.requestId, 'request_id');
    const scored = await target(request, requestId, 'request_id');
    const history = await service().store.history(scored);
    return { object: 'list', request_id: requestId, current: currentScores(history).map(feedbackJson), data: history.map(feedbackJson) };
  });
}
