import { redactSecrets } from '../providers/redact-secrets.js';

/**
 * A text as it may be stored: every configured credential and anything key-shaped (the providers' one redaction),
 * then the route's own patterns, replaced by [redacted].
 */
export function redactText(text: string, patterns: readonly RegExp[]): string {
  // PostgreSQL's text columns refuse NUL, and one such answer would fail its whole batch of samples (or a judge's
  // reason its score): kept as U+FFFD, the replacement character, on both backends.
  let result = redactSecrets(text.includes('\u0000') ? text.replaceAll('\u0000', '\uFFFD') : text);
  // replace() with a global pattern starts from 0 and leaves lastIndex at 0: a shared RegExp is safe here.
  for (const pattern of patterns) result = result.replace(pattern, '[redacted]');
  return result;
}

/** Every string in a JSON value redacted (keys kept): a pattern never meets JSON escapes it was not written for. */
export function redactJson(value: unknown, patterns: readonly RegExp[]): unknown {
  if (typeof value === 'string') return redactText(value, patterns);
  if (Array.isArray(value)) return value.map((item) => redactJson(item, patterns));
  if (value !== null && typeof value === 'object') {
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) copy[key] = redactJson(item, patterns);
    return copy;
  }
  return value;
}
