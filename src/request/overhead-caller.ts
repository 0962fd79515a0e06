import type { ChatRequest } from '../wire/chat-types.js';

export type OverheadKind = 'judge' | 'reference' | 'shadow';

export interface OverheadCallInput {
  overhead: OverheadKind;
  /** A model or route name. */
  model: string;
  request: Omit<ChatRequest, 'model'>;
  /** The caller request this call is about: its key and tags are the row's, so overhead is attributable. */
  of: { requestId: string; keyId: string | null; tags: Readonly<Record<string, string>> };
  experiment?: { name: string; arm: string };
  signal: AbortSignal;
}

export interface OverheadAnswer {
  /** The overhead row's id and start time (feedback on a shadow answer names it). */
  requestId: string;
  ts: number;
  text: string;
  costNanos: number;
  model: string;
}

export type OverheadCaller = (input: OverheadCallInput) => Promise<OverheadAnswer>;
