/**
 * The generation parameters of a request, read from any of the API shapes Frugal serves (Chat Completions,
 * Responses, Messages) or sends upstream: what the GenAI conventions record as `gen_ai.request.*`. Never the
 * messages. Stop sequences are the caller's text, so they are bounded like any attribute a client controls.
 */
export interface RequestParameters {
  maxTokens: number | undefined;
  temperature: number | undefined;
  topP: number | undefined;
  topK: number | undefined;
  stopSequences: string[] | undefined;
  seed: number | undefined;
  /** Candidates asked for (`n`); undefined when 1 or absent, as the convention records it only when != 1. */
  choiceCount: number | undefined;
  frequencyPenalty: number | undefined;
  presencePenalty: number | undefined;
  /** `gen_ai.output.type`: only when the request names an output format. */
  outputType: 'text' | 'json' | undefined;
}

export const MAX_CLIENT_TEXT = 256;
const MAX_STOP_SEQUENCES = 16;

const numberOf = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

export function requestParametersOf(fields: Readonly<Record<string, unknown>>): RequestParameters {
  const choices = numberOf(fields.n);
  return {
    maxTokens: numberOf(fields.max_completion_tokens) ?? numberOf(fields.max_tokens) ?? numberOf(fields.max_output_tokens),
    temperature: numberOf(fields.temperature),
    topP: numberOf(fields.top_p),
    topK: numberOf(fields.top_k),
    stopSequences: stopSequencesOf(fields.stop ?? fields.stop_sequences),
    seed: numberOf(fields.seed),
    choiceCount: choices === 1 ? undefined : choices,
    frequencyPenalty: numberOf(fields.frequency_penalty),
    presencePenalty: numberOf(fields.presence_penalty),
    outputType: outputTypeOf(fields),
  };
}

function stopSequencesOf(value: unknown): string[] | undefined {
  const list = typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
  return list.length === 0 ? undefined : list.slice(0, MAX_STOP_SEQUENCES).map((item) => item.slice(0, MAX_CLIENT_TEXT));
}

// Chat Completions: response_format.type; Responses: text.format.type. json_object and json_schema are both JSON.
function outputTypeOf(fields: Readonly<Record<string, unknown>>): 'text' | 'json' | undefined {
  const format = (fields.response_format ?? (fields.text as { format?: unknown } | null | undefined)?.format) as { type?: unknown } | null | undefined;
  const type = typeof format === 'object' && format !== null ? format.type : undefined;
  if (type === 'text') return 'text';
  if (type === 'json_object' || type === 'json_schema') return 'json';
  return undefined;
}
