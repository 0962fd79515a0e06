import type { ChatOutcome, RequestContext } from '../request/request-context.js';

/** A pipeline stage: does its part, calls `next` for the rest (or answers itself, as a cache hit would). */
export type Stage = (context: RequestContext, next: () => Promise<ChatOutcome>) => Promise<ChatOutcome>;

export type Handler = (context: RequestContext) => Promise<ChatOutcome>;

/** Composes stages once, at start-up, into one handler: stages[0] runs first and wraps all the others. */
export function compose(stages: readonly Stage[], terminal: Handler): Handler {
  return stages.reduceRight<Handler>((next, stage) => (context) => stage(context, () => next(context)), terminal);
}
