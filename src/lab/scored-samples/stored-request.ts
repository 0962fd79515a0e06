/**
 * A sample's stored request (`frugal_samples.request_json`, redacted): today the messages array; an object
 * `{ messages, tools? }` is read too, so samples that also keep the request's tools export them.
 */
export interface StoredRequest {
  messages: Array<Record<string, unknown>>;
  tools?: unknown[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

/** The request, or undefined when the text is not one (a sample written by a future version, or damaged). */
export function parseStoredRequest(json: string): StoredRequest | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  const messages = Array.isArray(value) ? value : isRecord(value) ? value.messages : undefined;
  if (!Array.isArray(messages) || messages.length === 0 || !messages.every(isRecord)) return undefined;
  const tools = isRecord(value) && Array.isArray(value.tools) && value.tools.length > 0 ? value.tools : undefined;
  return tools === undefined ? { messages } : { messages, tools };
}

/** One key per conversation: the same question answered by two models (an eval run, a shadow) meets here. */
export function conversationKey(request: StoredRequest): string {
  return JSON.stringify(request.messages);
}
