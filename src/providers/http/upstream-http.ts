import { Agent, errors as undiciErrors, request, type Dispatcher } from 'undici';
import { PROVIDER_CREDENTIALS_REJECTED } from '../../errors/error-codes.js';
import { FrugalError } from '../../errors/frugal-error.js';

export interface UpstreamHttpOptions {
  /** Keep-alive connections kept per upstream origin. */
  connections?: number;
  /** Milliseconds to wait for response headers (time to first byte for streams). */
  headersTimeoutMs?: number;
  /** Milliseconds allowed between body chunks. */
  bodyTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * One keep-alive connection pool per upstream origin (undici Agent keeps a Pool per origin).
 * Created once per provider at start-up, never per request.
 */
export function createUpstreamDispatcher(options: UpstreamHttpOptions = {}): Agent {
  return new Agent({
    connections: options.connections ?? 128,
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    headersTimeout: options.headersTimeoutMs ?? 120_000,
    bodyTimeout: options.bodyTimeoutMs ?? 300_000,
    connect: { timeout: options.connectTimeoutMs ?? 10_000 },
    pipelining: 1,
  });
}

export interface UpstreamTarget {
  /** Sends to `${base}${path}`. */
  request(path: string, init: Omit<Dispatcher.RequestOptions, 'origin' | 'path'>): Promise<Dispatcher.ResponseData>;
}

/**
 * Where an adapter sends, worked out once from its base URL: undici's top-level `request(url)` parses the URL of
 * every call (with `new URL`, ~2 % of a proxied request's CPU in bench:overhead's profile); the dispatcher's own
 * `request` takes the origin and path as they are. A base URL with a query or credentials keeps the top-level
 * call, whose handling of those it has always had.
 *
 * @example
 * const target = upstreamTarget('https://api.openai.com/v1', dispatcher);
 * await target.request('/chat/completions', { method: 'POST', headers, body });
 */
export function upstreamTarget(base: string, dispatcher: Dispatcher): UpstreamTarget {
  let url: URL | undefined;
  try {
    url = new URL(base);
  } catch {
    url = undefined;
  }
  if (url === undefined || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    return { request: (path, init) => request(`${base}${path}`, { ...init, dispatcher }) };
  }
  const origin = url.origin;
  const basePath = url.pathname.replace(/\/+$/, '');
  return { request: (path, init) => dispatcher.request({ ...init, origin, path: `${basePath}${path}` }) };
}

/** Parses a Retry-After header (seconds or HTTP date) into seconds. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined || raw === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, (date - now) / 1000);
}

/**
 * A provider's 401, 402 or 403 is about the gateway's own key or account with it (revoked, mistyped, without access
 * to the model, out of credit), never the caller's: callers authenticate to Frugal, and their keys never go upstream.
 * So it is a 502 for the caller (an OpenAI SDK must not raise AuthenticationError over a key it never sent), a failure
 * of that deployment (its breaker counts it, the route falls back to the next candidate at once), and it says which
 * provider to fix. `detail` must already be redacted.
 */
export function providerRefusedCredentials(provider: string, status: number, detail: string): FrugalError | undefined {
  if (status !== 401 && status !== 402 && status !== 403) return undefined;
  return new FrugalError('upstream_error', `Provider '${provider}' refused the gateway's own credentials or account (HTTP ${status}): ${detail}. Check that provider's api_key; the request itself was not at fault.`, {
    status: 502,
    type: 'api_error',
    retryable: true,
    upstreamFailure: true,
    upstreamCode: PROVIDER_CREDENTIALS_REJECTED,
  });
}

/** Which upstream statuses are worth another try, here or on another deployment. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/**
 * Maps a transport failure (refused, reset, DNS, timeout) to a FrugalError. The provider name is in the
 * message; URLs and keys are not, because they may carry credentials. A call we cancelled ourselves (a hedge
 * that lost, a client that left) is no failure of the upstream; a timeout or a broken connection is.
 */
export function transportError(provider: string, error: unknown, signal?: AbortSignal): FrugalError {
  if (error instanceof FrugalError) return error;
  if (signal?.aborted) {
    const reason = signal.reason;
    if (reason instanceof FrugalError) return reason;
    return new FrugalError('upstream_timeout', `Call to provider '${provider}' was cancelled.`, { retryable: true, cause: error });
  }
  if (
    error instanceof undiciErrors.HeadersTimeoutError ||
    error instanceof undiciErrors.BodyTimeoutError ||
    error instanceof undiciErrors.ConnectTimeoutError
  ) {
    return new FrugalError('upstream_timeout', `Provider '${provider}' timed out.`, { retryable: true, upstreamFailure: true, cause: error });
  }
  const code = (error as { code?: string } | null)?.code;
  const detail = typeof code === 'string' ? ` (${code})` : '';
  return new FrugalError('upstream_unreachable', `Provider '${provider}' is unreachable${detail}.`, {
    retryable: true,
    upstreamFailure: true,
    cause: error,
  });
}

export interface CallDeadline {
  /** Aborted when the caller's signal is, or when the deadline passes (reason: a retryable upstream_timeout). */
  signal: AbortSignal;
  /** Clears the timer and unhooks from the caller's signal; call it when the call (or its stream) is over. */
  done(): void;
}

/**
 * A deadline the call itself holds: a plain timer and controller, referenced until `done()`. Never
 * `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: the composite holds its sources weakly and the timeout
 * signal's timer is weak too, so under memory pressure the timeout is collected and never fires
 * (nodejs/node#57736) — a stalled stream then runs until the upstream gives up.
 */
export function callDeadline(signal: AbortSignal, timeoutMs: number | undefined, timeoutError: () => FrugalError): CallDeadline {
  if (timeoutMs === undefined) return { signal, done: () => {} };
  const controller = new AbortController();
  const follow = () => controller.abort(signal.reason);
  let timer: NodeJS.Timeout | undefined;
  const done = () => {
    clearTimeout(timer);
    signal.removeEventListener('abort', follow);
  };
  if (signal.aborted) follow();
  else signal.addEventListener('abort', follow, { once: true });
  timer = setTimeout(() => {
    controller.abort(timeoutError());
    done();
  }, timeoutMs);
  return { signal: controller.signal, done };
}

export type UpstreamResponse = Dispatcher.ResponseData;
