import { z } from 'zod';

// A high surrogate not followed by a low one, or a low one not preceded by a high one: not UTF-8 encodable.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
// C0 controls and DEL: NUL stops PostgreSQL, the rest only corrupt logs and reports.
const CONTROL = /[\u0000-\u001f\u007f]/g;

/** Why PostgreSQL (or a log line) cannot keep `text` as sent, or undefined when it can. */
export function unstorableReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain a NUL character (\\u0000)';
  if (LONE_SURROGATE.test(text)) return 'must not contain a lone UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

/**
 * A string field that reaches the ledger (model, user, metadata): at most `max` characters, storable in
 * PostgreSQL. Refused at the edge with a 400 naming the field, so no row can ever carry it.
 */
export function ledgerText(max: number) {
  return z
    .string()
    .max(max)
    .superRefine((text, context) => {
      const reason = unstorableReason(text);
      if (reason !== undefined) context.addIssue({ code: 'custom', message: reason });
    });
}

/** OpenAI's own metadata limits: 16 pairs, keys up to 64 characters, values up to 512. */
export const TAG_LIMITS = { pairs: 16, keyLength: 64, valueLength: 512 } as const;

/**
 * Header tags (x-frugal-tags) cleaned rather than refused: proxies and SDK wrappers add them, and a refused
 * call over a label would be worse than a trimmed label. Control characters go, keys and values are cut to
 * the metadata limits, pairs past the 16th are dropped.
 */
export function sanitizeHeaderTags(tags: Record<string, string>): Record<string, string> {
  const clean: Record<string, string> = {};
  let pairs = 0;
  for (const [rawKey, rawValue] of Object.entries(tags)) {
    if (pairs === TAG_LIMITS.pairs) break;
    const key = rawKey.replace(CONTROL, '').slice(0, TAG_LIMITS.keyLength);
    const value = rawValue.replace(CONTROL, '').slice(0, TAG_LIMITS.valueLength);
    if (key === '' || value === '' || unstorableReason(key) || unstorableReason(value)) continue;
    clean[key] = value;
    pairs += 1;
  }
  return clean;
}
