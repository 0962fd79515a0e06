import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One call the upstream received: when, and which lane the test's marker in the prompt said it came from. */
export interface LimitedCall {
  at: number;
  lane: 'background' | 'realtime';
  /** False when the upstream answered 429 (over its limit). */
  accepted: boolean;
}

export interface RateLimitedUpstream {
  /** Base URL as a provider's `base_url` (…/v1). */
  baseUrl: string;
  calls: LimitedCall[];
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible chat upstream that enforces its own requests-per-window limit as a provider does: over it,
 * a 429 in OpenAI's shape with Retry-After. Prompts whose first message starts with "[bg]" count as background.
 * For the queue-separation test: it sees every call, so it can say whether background stayed within its share
 * and whether anyone was refused.
 */
export async function startRateLimitedUpstream(options: { limit: number; windowMs: number; /** Fixed latency of every answer, ms. */ latencyMs?: number }): Promise<RateLimitedUpstream> {
  const calls: LimitedCall[] = [];
  const accepted: number[] = [];
  let counter = 0;

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const parts: Buffer[] = [];
    for await (const part of req) parts.push(part as Buffer);
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}');
      return;
    }
    const body = JSON.parse(Buffer.concat(parts).toString('utf8')) as { model: string; messages: Array<{ content: string }> };
    const lane = String(body.messages[0]?.content ?? '').startsWith('[bg]') ? 'background' : 'realtime';
    const at = Date.now();
    while (accepted.length > 0 && accepted[0] <= at - options.windowMs) accepted.shift();
    if (accepted.length >= options.limit) {
      calls.push({ at, lane, accepted: false });
      const retryAfter = Math.max(1, Math.ceil((accepted[0] + options.windowMs - at) / 1000));
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(retryAfter) });
      res.end(JSON.stringify({ error: { message: 'Rate limit reached for requests', type: 'requests', param: null, code: 'rate_limit_exceeded' } }));
      return;
    }
    accepted.push(at);
    calls.push({ at, lane, accepted: true });
    if (options.latencyMs) await new Promise((resolve) => setTimeout(resolve, options.latencyMs));
    counter += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        id: `chatcmpl-limited${counter}`,
        object: 'chat.completion',
        created: 1_763_856_000,
        model: body.model,
        choices: [{ index: 0, message: { role: 'assistant', content: 'Done.', refusal: null, annotations: [] }, logprobs: null, finish_reason: 'stop' }],
        usage: { prompt_tokens: 12, completion_tokens: 2, total_tokens: 14, prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 } },
        service_tier: 'default',
        system_fingerprint: 'fp_limited01',
      }),
    );
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
