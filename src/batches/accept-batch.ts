import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { FrugalError } from '../errors/frugal-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import type { BatchRuntime } from './batch-runtime.js';
import { lineWorstCaseNanos, type LineHold } from './batch-budget.js';
import type { BatchEndpoint, LineLane, NewLine, StoredBatch } from './batch-types.js';
import { chooseLane } from './choose-lane.js';
import { checkLineBody, type LineBodyLimits } from './check-line-body.js';
import { lineRequestId } from './own-lane.js';
import { answeredLine, failedLine, parseBatchLine } from './parse-batch-line.js';

export interface AcceptedLines {
  total: number;
  /** Own-lane line numbers, in order (for the jobs). */
  ownLines: number[];
  /** Native lanes with lines: one submission each. */
  native: Array<{ lane: Exclude<LineLane, 'own' | 'none'>; provider: string }>;
  holds: LineHold[];
  /** Set when the file as a whole cannot be a batch (too many lines, empty). */
  failure: { code: string; message: string } | null;
}

const INSERT_CHUNK = 500;

/**
 * Reads the input file line by line (streamed: a 200 MB file never sits in memory), checks each line, picks its
 * lane and stores it. A line that fails its check is stored done, with its error-file entry: it never fails the
 * batch. Only a file that cannot be a batch at all (no lines, more than the limit) does.
 */
export async function acceptLines(runtime: BatchRuntime, batch: StoredBatch): Promise<AcceptedLines> {
  const { store, settings } = runtime;
  const { config } = runtime.gateway;
  const limits = { maxDepth: config.server.maxJsonDepth, maxMessages: config.server.maxMessages };
  const endpoint: BatchEndpoint = batch.endpoint;
  const allowed = batch.caller.key?.allowedModels ?? null;
  const seen = new Set<string>();
  const accepted: AcceptedLines = { total: 0, ownLines: [], native: [], holds: [], failure: null };
  const nativeKeys = new Set<string>();
  let pending: NewLine[] = [];
  const lines = createInterface({ input: Readable.from(store.readFile(batch.inputFileId)), crlfDelay: Infinity });
  for await (const text of lines) {
    if (text.trim() === '') continue;
    accepted.total += 1;
    if (accepted.total > settings.maxLines) {
      lines.close();
      return { ...accepted, failure: { code: 'too_many_requests', message: `The input file has more than ${settings.maxLines} lines, the most one batch may hold.` } };
    }
    const lineNo = accepted.total;
    const parsed = parseBatchLine(text, endpoint, seen);
    const refused = parsed.ok ? refusal(endpoint, parsed.body, limits) : undefined;
    if (!parsed.ok) {
      pending.push({ lineNo, customId: parsed.customId, lane: 'none', provider: null, body: null, result: failedLine(parsed.customId, parsed.code, parsed.message) });
    } else if (refused !== undefined) {
      // The answer the endpoint gives the same body over HTTP, in the error file. The body is not kept: one nested
      // past the limit would overflow the stack of the store's JSON.stringify.
      const rendered = toOpenAIError(refused);
      pending.push({ lineNo, customId: parsed.customId, lane: 'none', provider: null, body: null, result: answeredLine(parsed.customId, rendered.status, lineRequestId(batch.id, lineNo), rendered.body, 0) });
    } else {
      const model = String(parsed.body.model);
      if (allowed !== null && !allowed.includes(model)) {
        const message = `This key may not use '${model}'. Allowed: ${allowed.join(', ')}.`;
        pending.push({ lineNo, customId: parsed.customId, lane: 'none', provider: null, body: parsed.body, result: failedLine(parsed.customId, 'permission_denied', message) });
      } else {
        const { lane, provider } = chooseLane(config, endpoint, model);
        pending.push({ lineNo, customId: parsed.customId, lane, provider, body: parsed.body });
        accepted.holds.push({ lineNo, worstCaseNanos: lineWorstCaseNanos(config, endpoint, parsed.body, lane) });
        if (lane === 'own') accepted.ownLines.push(lineNo);
        else if (provider !== null && lane !== 'none' && !nativeKeys.has(`${lane}|${provider}`)) {
          nativeKeys.add(`${lane}|${provider}`);
          accepted.native.push({ lane, provider });
        }
      }
    }
    if (pending.length >= INSERT_CHUNK) {
      await store.addLines(batch.id, pending);
      pending = [];
    }
  }
  await store.addLines(batch.id, pending);
  if (accepted.total === 0) return { ...accepted, failure: { code: 'empty_file', message: 'The input file has no request lines.' } };
  return accepted;
}

/** Why the endpoint would refuse a line's body (see check-line-body.ts), or undefined when it would take it. */
function refusal(endpoint: BatchEndpoint, body: Record<string, unknown>, limits: LineBodyLimits): FrugalError | undefined {
  try {
    checkLineBody(endpoint, body, limits);
    return undefined;
  } catch (error) {
    if (error instanceof FrugalError) return error;
    throw error;
  }
}
