import { FrugalError } from './frugal-error.js';
import { scrubCredentials } from './scrub-credentials.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: OpenAIErrorBody;
}

/** The only place an error becomes OpenAI's error JSON. Unknown errors never leak their message. */
export function toOpenAIError(error: unknown): RenderedError {
  if (error instanceof FrugalError) {
    const headers: Record<string, string> = { ...error.headers };
    if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(Math.ceil(error.retryAfterSeconds));
    // The openai SDKs retry every 429 unless told not to (a Retry-After past a minute is ignored, and they retry
    // at once); an exhausted budget does not refill in seconds. The same header the Anthropic shape sends.
    if (error.code === 'budget_exceeded') headers['x-should-retry'] = 'false';
    return {
      status: error.status,
      headers,
      // An upstream's own code (e.g. context_length_exceeded) is what a client written against that API expects.
      body: { error: { message: scrubCredentials(error.message), type: error.type, param: error.param === null ? null : scrubCredentials(error.param), code: error.upstreamCode ?? error.code } },
    };
  }
  return {
    status: 500,
    headers: {},
    body: { error: { message: 'Internal error in the gateway.', type: 'server_error', param: null, code: 'internal_error' } },
  };
}
