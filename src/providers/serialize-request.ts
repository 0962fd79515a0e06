import { FrugalError } from '../errors/frugal-error.js';

/**
 * JSON text of a request, or of a part of one (tools, tool calls), on our side of the wire. JSON.stringify
 * recurses natively and overflows the stack at a few thousand levels of nesting (5 000 nested arrays fit in a
 * 10 KB body). That is the request's fault and happens before anything is sent: a 400, never an
 * "unreachable" 502 that would count against the upstream's circuit breaker.
 */
export function serializeRequest(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    // RangeError: too deep. TypeError: a cycle or a BigInt, which only a library caller can pass in.
    if (error instanceof RangeError || error instanceof TypeError) {
      throw new FrugalError('invalid_request', 'The request is nested too deeply (or is not plain JSON) to be sent upstream.', { cause: error });
    }
    throw error;
  }
}
