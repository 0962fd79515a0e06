import { FrugalError } from '../errors/frugal-error.js';
import { toOpenAIError } from '../errors/to-openai-error.js';
import type { BatchRuntime } from './batch-runtime.js';
import { lineWorstCaseNanos, type LineHold } from './batch-budget.js';
import type { BatchEndpoint, BatchFailure, LineLane, NewLine, StoredBatch } from './batch-types.js';
import { chooseLane } from './choose-lane.js';
import { checkLineBody, type LineBodyLimits } from './check-line-body.js';
import { lineRequestId } from './own-lane.js';
import { answeredLine, failedLine, parseBatchLine } from './parse-batch-line.js';
import { readJsonlLines } from './read-jsonl-lines.js';

export interface AcceptedLines {
  total: number;
  /** Own-lane line numbers, in order (for the jobs). */
  ownLines: number[];
  /** Native lanes with lines: one submission each. */
  native: Array<{ lane: Exclude<LineLane, 'own' | 'none'>; provider: string }>;
  holds: LineHold[];
  /**
   * Set when the file cannot be a batch: lines that are not requests (each named by its line in the file), too many
   * lines, none at all. The batch fails at validation, as OpenAI's does, and keeps no line.
   */
  failures: BatchFailure[] | null;
}

const INSERT_CHUNK = 500;
/** OpenAI's `errors.data` of a failed batch lists every bad line; past this many the file is plainly not a batch. */
const MAX_LINE_FAILURES = 100;

/**
 * Reads the input file line by line (streamed: a 200 MB file never sits in memory), checks each line, picks its
 * lane and stores it. A line that is not a request of this batch (not JSON, not UTF-8, no or a repeated custom_id,
 * another url or method, no body or model) fails the whole batch, as OpenAI's validation does: the caller fixes
 * the file rather than learning of a typo from a half-run batch. A request the endpoint would refuse (its body)
 * is stored done with the endpoint's answer in the error file, as OpenAI answers such a line when it runs.
 * Line numbers in `errors.data` are the file's own (1-based, blank lines counted); the store numbers requests.
 */
export async function acceptLines(runtime: BatchRuntime, batch: StoredBatch): Promise<AcceptedLines> {
  const { store, settings } = runtime;
  const { config } = runtime.gateway;
  const limits = { maxDepth: config.server.maxJsonDepth, maxMessages: config.server.maxMessages };
  const endpoint: BatchEndpoint = batch.endpoint;
  const allowed = batch.caller.key?.allowedModels ?? null;
  const seen = new Set<string>();
  const accepted: AcceptedLines = { total: 0, ownLines: [], native: [], holds: [], failures: null };
  const failures: BatchFailure[] = [];
  const nativeKeys = new Set<string>();
  let pending: NewLine[] = [];
  // A line is an envelope around a body the endpoint takes up to server.body_limit_mb of.
  const maxLineBytes = config.server.bodyLimitBytes + 64 * 1024;
  for await (const read of readJsonlLines(store.readFile(batch.inputFileId), maxLineBytes)) {
    if ('text' in read && read.text.trim() === '') continue;
    accepted.total += 1;
    if (accepted.total > settings.maxLines) {
      const failure = { code: 'too_many_requests', message: `The input file has more than ${settings.maxLines} requests, the most one batch may hold.`, param: null, line: read.lineNo };
      return { ...accepted, failures: [failure] };
    }
    const lineNo = accepted.total;
    if (!('text' in read)) {
      failures.push(read.problem === 'not_utf8'
        ? { code: 'invalid_json_line', message: 'This line is not valid UTF-8 text, so not valid JSON.', param: null, line: read.lineNo }
        : { code: 'payload_too_large', message: `This line is larger than ${maxLineBytes} bytes (server.body_limit_mb): no endpoint would take its body.`, param: null, line: read.lineNo });
      if (failures.length >= MAX_LINE_FAILURES) break;
      continue;
    }
    const parsed = parseBatchLine(read.text, endpoint, seen);
    if (!parsed.ok) {
      failures.push({ code: parsed.code, message: parsed.message, param: parsed.param, line: read.lineNo });
      if (failures.length >= MAX_LINE_FAILURES) break;
      continue;
    }
    // Once the batch is bound to fail, the rest of the file is only checked: nothing more is stored.
    if (failures.length > 0) continue;
    const refused = refusal(endpoint, parsed.body, limits);
    if (refused !== undefined) {
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
  if (failures.length > 0) return { ...accepted, failures };
  await store.addLines(batch.id, pending);
  if (accepted.total === 0) return { ...accepted, failures: [{ code: 'empty_file', message: 'The input file has no request lines.', param: null, line: null }] };
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
