import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatMessage } from '../../wire/chat-types.js';
import { userPrompt } from '../../routing/classifier/prompt-features.js';

/** One line of a `frugal router train` file: a prompt (or messages) and its label (a task, or "strong"/"weak"). */
export interface LabeledExample {
  messages: ChatMessage[];
  label: string;
}

const messageSchema = z
  .object({ role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']), content: z.unknown().optional() })
  .passthrough();

const lineSchema = z.union([
  z.object({ prompt: z.string(), label: z.string().min(1) }),
  z.object({ messages: z.array(messageSchema).min(1), label: z.string().min(1) }),
]);

/** Splits JSON Lines, skipping blank lines; a bad line fails with its 1-based number. */
export function parseJsonLines(text: string, source: string): Array<{ line: number; value: unknown }> {
  const rows: Array<{ line: number; value: unknown }> = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim().length === 0) return;
    try {
      rows.push({ line: index + 1, value: JSON.parse(raw) });
    } catch (error) {
      throw new FrugalError('invalid_json', `${source}:${index + 1}: not valid JSON`, { cause: error });
    }
  });
  return rows;
}

export function parseLabeledExamples(text: string, source = 'input'): LabeledExample[] {
  return parseJsonLines(text, source).map(({ line, value }) => {
    const parsed = lineSchema.safeParse(value);
    if (!parsed.success) {
      throw new FrugalError('invalid_request', `${source}:${line}: expected {"prompt": string | "messages": [...], "label": string}`);
    }
    const row = parsed.data;
    return 'prompt' in row ? { messages: userPrompt(row.prompt), label: row.label } : { messages: row.messages as ChatMessage[], label: row.label };
  });
}

export async function readLabeledExamples(file: string): Promise<LabeledExample[]> {
  return parseLabeledExamples(await readFile(file, 'utf8'), file);
}
