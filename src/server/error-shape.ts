import type { FastifyRequest } from 'fastify';
import { toAnthropicError } from '../errors/to-anthropic-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';

/**
 * The error JSON a route answers in, declared where the route is registered (`config: { errorShape }`), so every
 * error on it — the key check in onRequest, a body that is not JSON, a limit, the handler's own — comes out in the
 * shape its clients parse. Routes that declare nothing answer in OpenAI's shape.
 */
export type ErrorShape = 'openai' | 'anthropic';

declare module 'fastify' {
  interface FastifyContextConfig {
    errorShape?: ErrorShape;
  }
}

export interface RenderedErrorReply {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

// Unmatched paths under an Anthropic prefix answer in Anthropic's shape too (a typo'd /v1/messages/count_token).
const ANTHROPIC_PREFIX = '/v1/messages';

/** The shape for a request: its route's declaration, else its path's prefix (for a 404). */
export function errorShapeOf(request: FastifyRequest): ErrorShape {
  const declared = request.is404 ? undefined : request.routeOptions?.config?.errorShape;
  if (declared) return declared;
  const path = (request.url ?? '').split('?')[0];
  return path === ANTHROPIC_PREFIX || path.startsWith(`${ANTHROPIC_PREFIX}/`) ? 'anthropic' : 'openai';
}

/**
 * The one renderer of an HTTP error reply. Anthropic's error body carries `request_id`, and its SDKs read the
 * `request-id` header into error.requestID: both are added here, so every Anthropic-shaped error has them (the key
 * check's, the body parser's, a 404 under /v1/messages).
 */
export function renderError(shape: ErrorShape, error: unknown, requestId: string): RenderedErrorReply {
  if (shape === 'openai') return toOpenAIError(error);
  const rendered = toAnthropicError(error);
  return { status: rendered.status, headers: { ...rendered.headers, 'request-id': requestId }, body: { ...rendered.body, request_id: requestId } };
}
