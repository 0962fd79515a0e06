/**
 * OpenAI's Responses API (the Open Responses shape) as far as Frugal serves it: function tools, text and
 * image input, structured output. Field names and orders follow the openai package's `responses.d.ts`.
 * Unknown request fields are tolerated (index signatures) so new SDK versions keep working.
 */

export interface InputTextPart {
  type: 'input_text';
  text: string;
}
export interface InputImagePart {
  type: 'input_image';
  image_url?: string | null;
  file_id?: string | null;
  detail?: 'low' | 'high' | 'auto' | 'original';
}
/** A file given inline (a base64 data URL); uploaded files (`file_id`) and `file_url` are refused at the edge. */
export interface InputFilePart {
  type: 'input_file';
  file_data?: string | null;
  file_id?: string | null;
  file_url?: string | null;
  filename?: string | null;
}
/** One token's log probability, as chat completions and the Responses API both give it. */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs?: Array<{ token: string; logprob: number; bytes: number[] | null }>;
}
export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs?: TokenLogprob[];
}
export interface RefusalPart {
  type: 'refusal';
  refusal: string;
}
export type MessageContentPart = InputTextPart | InputImagePart | InputFilePart | OutputTextPart | RefusalPart;

export interface MessageItem {
  type?: 'message';
  id?: string;
  role: 'user' | 'assistant' | 'system' | 'developer';
  content: string | MessageContentPart[];
  status?: 'in_progress' | 'completed' | 'incomplete';
  [field: string]: unknown;
}
export interface FunctionCallItem {
  type: 'function_call';
  id?: string;
  call_id: string;
  name: string;
  arguments: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
  [field: string]: unknown;
}
export interface FunctionCallOutputItem {
  type: 'function_call_output';
  id?: string;
  call_id: string;
  output: string | Array<InputTextPart | InputImagePart>;
  status?: 'in_progress' | 'completed' | 'incomplete';
  [field: string]: unknown;
}
/** A pointer to an item of a stored response (the AI SDK sends these for earlier assistant turns). */
export interface ItemReference {
  type: 'item_reference';
  id: string;
}
/** Reasoning items carry provider-encrypted state the chat API cannot take back; they are dropped. */
export interface ReasoningItem {
  type: 'reasoning';
  id?: string;
  [field: string]: unknown;
}
export type InputItem = MessageItem | FunctionCallItem | FunctionCallOutputItem | ItemReference | ReasoningItem;
/** An input item after references are resolved: what a stored response keeps and input_items lists. */
export type StoredInputItem = (MessageItem | FunctionCallItem | FunctionCallOutputItem) & { id: string };

export interface FunctionTool {
  type: 'function';
  name: string;
  description?: string | null;
  parameters?: Record<string, unknown> | null;
  strict?: boolean | null;
}

export type ResponsesToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; name: string };

export type TextFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean | null };

export interface ResponsesRequest {
  model: string;
  input?: string | InputItem[];
  instructions?: string | null;
  tools?: FunctionTool[] | null;
  tool_choice?: ResponsesToolChoice | null;
  parallel_tool_calls?: boolean | null;
  text?: { format?: TextFormat; verbosity?: string | null } | null;
  max_output_tokens?: number | null;
  max_tool_calls?: number | null;
  truncation?: 'auto' | 'disabled' | null;
  temperature?: number | null;
  top_p?: number | null;
  reasoning?: { effort?: string | null; summary?: string | null } | null;
  metadata?: Record<string, string> | null;
  user?: string;
  stream?: boolean | null;
  store?: boolean | null;
  previous_response_id?: string | null;
  include?: string[] | null;
  top_logprobs?: number | null;
  [field: string]: unknown;
}

export interface OutputMessage {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: Array<OutputTextPart | RefusalPart>;
}
export interface OutputFunctionCall {
  type: 'function_call';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  call_id: string;
  name: string;
  arguments: string;
}
export interface ReasoningTextPart {
  type: 'reasoning_text';
  text: string;
}
/** The model's visible thinking (chat's `reasoning_content`, Anthropic's thinking blocks). Never sent back upstream. */
export interface OutputReasoning {
  type: 'reasoning';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  summary: unknown[];
  content: ReasoningTextPart[];
}
export type OutputItem = OutputMessage | OutputFunctionCall | OutputReasoning;

export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
  /** Frugal's addition (as on chat completions): what the request cost, USD. */
  cost?: number;
}

export type ResponseStatus = 'completed' | 'failed' | 'in_progress' | 'incomplete';

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: TextFormat; verbosity?: string };
  tool_choice: ResponsesToolChoice;
  tools: FunctionTool[];
  top_logprobs?: number | null;
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  background: boolean;
  service_tier: string;
  usage: ResponsesUsage | null;
  user: string | null;
  safety_identifier?: string | null;
  prompt_cache_key?: string | null;
  metadata: Record<string, string>;
}

/** Every streamed event carries its place in the stream, from 0. */
export type ResponseStreamEvent =
  | { type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed'; sequence_number: number; response: ResponseObject }
  | { type: 'response.output_item.added' | 'response.output_item.done'; sequence_number: number; output_index: number; item: OutputItem }
  | {
      type: 'response.content_part.added' | 'response.content_part.done';
      sequence_number: number;
      item_id: string;
      output_index: number;
      content_index: number;
      part: OutputTextPart | RefusalPart | ReasoningTextPart;
    }
  | { type: 'response.output_text.delta'; sequence_number: number; item_id: string; output_index: number; content_index: number; delta: string; logprobs: TokenLogprob[] }
  | { type: 'response.output_text.done'; sequence_number: number; item_id: string; output_index: number; content_index: number; text: string; logprobs: TokenLogprob[] }
  | { type: 'response.reasoning_text.delta'; sequence_number: number; item_id: string; output_index: number; content_index: number; delta: string }
  | { type: 'response.reasoning_text.done'; sequence_number: number; item_id: string; output_index: number; content_index: number; text: string }
  | { type: 'response.refusal.delta'; sequence_number: number; item_id: string; output_index: number; content_index: number; delta: string }
  | { type: 'response.refusal.done'; sequence_number: number; item_id: string; output_index: number; content_index: number; refusal: string }
  | { type: 'response.function_call_arguments.delta'; sequence_number: number; item_id: string; output_index: number; delta: string }
  | { type: 'response.function_call_arguments.done'; sequence_number: number; item_id: string; output_index: number; name: string; arguments: string };

type ItemStatus = 'in_progress' | 'completed' | 'incomplete';
/** An input item as `input_items` lists it: the openai package's ResponseItem for messages, calls and outputs. */
export type ListedInputItem =
  | { id: string; type: 'message'; status: ItemStatus; role: MessageItem['role']; content: MessageContentPart[] }
  | { id: string; type: 'function_call'; status: ItemStatus; call_id: string; name: string; arguments: string }
  | { id: string; type: 'function_call_output'; status: ItemStatus; call_id: string; output: FunctionCallOutputItem['output'] };

/** A page of a stored response's input items, as OpenAI lists them. */
export interface InputItemList {
  object: 'list';
  data: ListedInputItem[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}
