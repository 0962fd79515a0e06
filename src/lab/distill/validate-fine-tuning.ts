/**
 * The format checks OpenAI's cookbook runs on chat fine-tuning data before an upload ("Data preparation and
 * analysis for chat model fine-tuning"), extended as OpenAI's fine-tuning format now is: the `tool` role, tool
 * calls and a top-level `tools` list. An example that passes here is one the fine-tuning API takes; the checks
 * are written from the format, not from our exporter, so they test it.
 *
 * Error names are the cookbook's (`missing_messages_list`, `message_unrecognized_key`, …) plus `unrecognized_key`
 * (a top-level key) and `invalid_tools`.
 */

export const FINE_TUNING_ROLES = ['system', 'user', 'assistant', 'tool', 'function'] as const;
const MESSAGE_KEYS = new Set(['role', 'content', 'name', 'weight', 'function_call', 'tool_calls', 'tool_call_id']);
const EXAMPLE_KEYS = new Set(['messages', 'tools', 'parallel_tool_calls', 'functions']);

export type FineTuningError =
  | 'data_type'
  | 'missing_messages_list'
  | 'unrecognized_key'
  | 'message_missing_key'
  | 'message_unrecognized_key'
  | 'unrecognized_role'
  | 'missing_content'
  | 'invalid_weight'
  | 'invalid_tool_calls'
  | 'example_missing_assistant_message'
  | 'invalid_tools';

const isRecord = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

function validToolCalls(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (call) =>
        isRecord(call) &&
        typeof call.id === 'string' &&
        call.type === 'function' &&
        isRecord(call.function) &&
        typeof call.function.name === 'string' &&
        typeof call.function.arguments === 'string',
    )
  );
}

function validTools(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.every(
      (tool) =>
        isRecord(tool) &&
        tool.type === 'function' &&
        isRecord(tool.function) &&
        typeof tool.function.name === 'string' &&
        /^[A-Za-z0-9_-]{1,64}$/.test(tool.function.name) &&
        (tool.function.description === undefined || typeof tool.function.description === 'string') &&
        (tool.function.parameters === undefined || isRecord(tool.function.parameters)),
    )
  );
}

/** The errors of one example (a parsed line), each named once; empty when it passes. */
export function fineTuningErrors(example: unknown): FineTuningError[] {
  const errors = new Set<FineTuningError>();
  if (!isRecord(example)) return ['data_type'];
  const messages = example.messages;
  if (!Array.isArray(messages) || messages.length === 0) return ['missing_messages_list'];
  if (Object.keys(example).some((key) => !EXAMPLE_KEYS.has(key))) errors.add('unrecognized_key');
  if (example.tools !== undefined && !validTools(example.tools)) errors.add('invalid_tools');
  for (const message of messages) {
    if (!isRecord(message)) {
      errors.add('data_type');
      continue;
    }
    if (!('role' in message) || !('content' in message)) errors.add('message_missing_key');
    if (Object.keys(message).some((key) => !MESSAGE_KEYS.has(key))) errors.add('message_unrecognized_key');
    if (!(FINE_TUNING_ROLES as readonly unknown[]).includes(message.role)) errors.add('unrecognized_role');
    const calls = message.tool_calls !== undefined || message.function_call !== undefined;
    if (message.tool_calls !== undefined && (message.role !== 'assistant' || !validToolCalls(message.tool_calls))) errors.add('invalid_tool_calls');
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') errors.add('invalid_tool_calls');
    // The cookbook: content must be a string, and empty only where the assistant calls a function instead.
    const content = message.content;
    if (calls ? content !== null && content !== undefined && typeof content !== 'string' : typeof content !== 'string' || content.length === 0) errors.add('missing_content');
    if (message.weight !== undefined && (message.role !== 'assistant' || (message.weight !== 0 && message.weight !== 1))) errors.add('invalid_weight');
  }
  if (!messages.some((message) => isRecord(message) && message.role === 'assistant')) errors.add('example_missing_assistant_message');
  return [...errors];
}

export interface FineTuningFileReport {
  examples: number;
  /** Error name → how many examples have it. */
  errors: Partial<Record<FineTuningError | 'invalid_json', number>>;
  /** 1-based line numbers of the first failing lines, for the message. */
  failingLines: number[];
}

/** Every line of a JSONL file checked; blank lines are errors too (the API rejects them). */
export function validateFineTuningJsonl(text: string): FineTuningFileReport {
  const report: FineTuningFileReport = { examples: 0, errors: {}, failingLines: [] };
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  lines.forEach((line, index) => {
    if (text.length === 0) return;
    report.examples += 1;
    let errors: Array<FineTuningError | 'invalid_json'>;
    try {
      errors = fineTuningErrors(JSON.parse(line));
    } catch {
      errors = ['invalid_json'];
    }
    for (const error of errors) report.errors[error] = (report.errors[error] ?? 0) + 1;
    if (errors.length > 0 && report.failingLines.length < 10) report.failingLines.push(index + 1);
  });
  return report;
}
