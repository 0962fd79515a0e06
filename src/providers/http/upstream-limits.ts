import type { Dispatcher } from 'undici';
import { FrugalError } from '../../errors/frugal-error.js';

/** How much one upstream answer may make us read: a misbehaving upstream must not take the gateway's memory. */
export interface UpstreamLimits {
  /** Bytes of one answer: a JSON body, or all of a stream's bytes together. */
  maxResponseBytes: number;
  /** Server-sent events in one stream (a flood of tiny events costs CPU even when each is small). */
  maxStreamEvents: number;
}

/**
 * 32 MB holds any chat answer and a 2 048-input embeddings batch at 1 536 float dimensions in JSON; a 300 MB
 * answer took the gateway's RSS to 2.7 GB. 200 000 events is twice the longest output any model allows
 * (100 000 tokens, one event each).
 */
export const DEFAULT_UPSTREAM_LIMITS: UpstreamLimits = { maxResponseBytes: 32 * 1024 * 1024, maxStreamEvents: 200_000 };

/** Error bodies are read for their message only; a longer one is cut, never buffered whole. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

export function upstreamTooLarge(provider: string, what: string): FrugalError {
  // Retryable and an upstream failure: another deployment may answer sanely, and this one is misbehaving.
  return new FrugalError('upstream_bad_response', `Provider '${provider}' sent ${what}; the answer was dropped.`, { retryable: true, upstreamFailure: true });
}

/** The whole body as text, refused (and the connection dropped) as soon as it passes `maxBytes`. */
export async function readCappedText(provider: string, response: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw upstreamTooLarge(provider, `a ${declared}-byte answer, more than the ${maxBytes} bytes allowed (max_response_mb)`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      response.body.destroy();
      throw upstreamTooLarge(provider, `more than the ${maxBytes} bytes allowed for one answer (max_response_mb)`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** The start of an error body (up to 64 KB), for its message; the rest is never read. */
export async function readErrorText(response: Dispatcher.ResponseData): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of response.body) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= MAX_ERROR_BODY_BYTES) {
        response.body.destroy();
        break;
      }
    }
  } catch {
    // A broken error body still leaves its status to report.
  }
  return Buffer.concat(chunks, size).toString('utf8').slice(0, MAX_ERROR_BODY_BYTES);
}
