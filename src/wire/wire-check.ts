import type { z } from 'zod';

/** Why a body is not a valid request: the first problem, with the field path as the API names it. */
export interface WireIssue {
  message: string;
  param: string | null;
}

export type WireCheck<T> = { ok: true; value: T } | { ok: false; issue: WireIssue };

/** OpenAI's notation: `messages[0].content`, message "Invalid 'messages[0].content': …". */
export function openAIIssue(error: z.ZodError): WireIssue {
  const issue = error.issues[0];
  const param = issue.path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
  const message = param === '' ? issue.message : `Invalid '${param}': ${issue.message}`;
  return { message, param: param || null };
}

const NOT_AN_OBJECT: WireIssue = { message: 'The request body must be a JSON object.', param: null };

/**
 * Checks a body against a schema without copying it: the caller's object goes on unchanged, unknown fields
 * included. `precheck` runs first on an object body (refusals that read better than a schema error).
 */
export function checkBody<T>(schema: z.ZodType, body: unknown, describe: (error: z.ZodError) => WireIssue = openAIIssue, precheck?: (body: Record<string, unknown>) => WireIssue | undefined): WireCheck<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return { ok: false, issue: NOT_AN_OBJECT };
  const early = precheck?.(body as Record<string, unknown>);
  if (early) return { ok: false, issue: early };
  const result = schema.safeParse(body);
  return result.success ? { ok: true, value: body as T } : { ok: false, issue: describe(result.error) };
}
