/**
 * Where each chat message of a converted Responses request came from: the `instructions`, or a conversation
 * item (an assistant turn that gathered function calls also knows which item each of its `tool_calls` was).
 */
export type MessageOrigin = { kind: 'instructions' } | { kind: 'item'; item: number; calls: number[]; toolOutput: boolean };

export interface ParamMap {
  origins: readonly MessageOrigin[];
  /** Per conversation item: the index in this request's `input`, or null for an item of the stored chain. */
  inputIndexes: readonly (number | null)[];
  /** A string `input` is one item that has no index of its own: OpenAI names it `input`. */
  inputIsString: boolean;
  /** Chat's `logprobs` comes from `include` unless only `top_logprobs` asked for it. */
  logprobsFrom: 'include' | 'top_logprobs';
}

// Chat fields whose Responses name differs; the rest (temperature, top_p, user, metadata, …) keep their name.
const RENAMED: ReadonlyArray<[RegExp, string]> = [
  [/^max_(?:completion_)?tokens$/, 'max_output_tokens'],
  [/^response_format\.json_schema(?=\.|$)/, 'text.format'],
  [/^response_format(?=\.|\[|$)/, 'text.format'],
  [/^tools\[(\d+)\]\.function(?=\.|$)/, 'tools[$1]'],
  [/^tool_choice\.function(?=\.|$)/, 'tool_choice'],
  [/^reasoning_effort$/, 'reasoning.effort'],
  [/^verbosity$/, 'text.verbosity'],
  [/^stream_options(?=\.|$).*/, 'stream'],
];

const MESSAGE_PARAM = /^messages\[(\d+)\](.*)$/;
const TOOL_CALL_REST = /^\.tool_calls\[(\d+)\](.*)$/;

/** The rest of a param inside a function_call item: chat's call fields under their Responses names. */
function callRest(rest: string): string {
  if (rest.startsWith('.function.')) return `.${rest.slice('.function.'.length)}`;
  if (rest === '.id') return '.call_id';
  return rest === '.function' || rest === '.type' ? '' : rest;
}

function itemParam(item: number, rest: string, map: ParamMap): string {
  const index = map.inputIndexes[item];
  // An item of the stored chain is not in this request: the field that brought it in is the one to blame.
  if (index === null || index === undefined) return 'previous_response_id';
  return map.inputIsString ? 'input' : `input[${index}]${rest}`;
}

function messageParam(messageIndex: number, rest: string, map: ParamMap): string {
  const origin = map.origins[messageIndex];
  if (!origin) return 'input';
  if (origin.kind === 'instructions') return 'instructions';
  const call = TOOL_CALL_REST.exec(rest);
  if (call) {
    const item = origin.calls[Number(call[1])];
    return item === undefined ? itemParam(origin.item, '', map) : itemParam(item, callRest(call[2]), map);
  }
  // A tool message is a function_call_output item: its id and text are `call_id` and `output` there.
  const renamed = origin.toolOutput ? rest.replace(/^\.tool_call_id/, '.call_id').replace(/^\.content/, '.output') : rest.replace(/^\.tool_calls$/, '');
  return itemParam(origin.item, renamed, map);
}

/**
 * A chat-completions `param` (from the pipeline's checks or an upstream's refusal) as the Responses field the
 * caller sent: `max_tokens` → `max_output_tokens`, `messages[3].content[0]` → `input[1].content[0]`,
 * `response_format.json_schema.schema` → `text.format.schema`. A client written against the Responses API
 * looks for its own field names; a chat name points at a field it never sent.
 */
export function chatParamToResponses(param: string, map: ParamMap): string {
  if (param === 'messages') return 'input';
  const message = MESSAGE_PARAM.exec(param);
  if (message) return messageParam(Number(message[1]), message[2], map);
  if (param === 'logprobs') return map.logprobsFrom;
  for (const [pattern, replacement] of RENAMED) if (pattern.test(param)) return param.replace(pattern, replacement);
  return param;
}
