/**
 * Anthropic Messages API wire shapes (anthropic-version 2023-06-01), only as far as Frugal reads or writes them.
 * Responses are typed loosely (optional fields, open strings) because the API adds fields and block types
 * over time and an adapter must not break on them.
 */

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
  cache_control?: AnthropicCacheControl;
}

/** Marks the end of a prefix Anthropic may cache (prompt caching). */
export interface AnthropicCacheControl {
  type: 'ephemeral';
}

export interface AnthropicImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };
}

export interface AnthropicDocumentBlock {
  type: 'document';
  source:
    | { type: 'base64'; media_type: string; data: string }
    | { type: 'url'; url: string }
    | { type: 'text'; media_type: 'text/plain'; data: string }
    | { type: 'content'; content: string | Array<AnthropicTextBlock | AnthropicImageBlock> };
  title?: string;
  context?: string;
  citations?: { enabled: boolean };
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  /** Left out when the tool returned nothing. */
  content?: string | Array<AnthropicTextBlock | AnthropicImageBlock | AnthropicDocumentBlock>;
  is_error?: boolean;
}

/** A thinking block sent back in an assistant turn: its signature proves Anthropic wrote it. */
export interface AnthropicThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

export interface AnthropicRedactedThinkingBlock {
  type: 'redacted_thinking';
  data: string;
}

export type AnthropicRequestBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicDocumentBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock;

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: string | AnthropicRequestBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema?: Record<string, unknown>;
  /** A server tool's versioned type (`web_search_20250305`, …); absent or 'custom' for the client's own tools. */
  type?: string;
  cache_control?: AnthropicCacheControl;
  [field: string]: unknown;
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface AnthropicMessagesRequest {
  model: string;
  messages: AnthropicMessage[];
  max_tokens: number;
  system?: string | AnthropicTextBlock[];
  stop_sequences?: string[];
  stream?: boolean;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  metadata?: { user_id: string };
  /** Anthropic's extended-thinking switch, passed through when a client sends it. */
  thinking?: Record<string, unknown>;
  /** Fields a client sends that Frugal does not read (service_tier, container, …): kept for a native pass-through. */
  [field: string]: unknown;
}

/** Usage as Anthropic reports it; the cache fields are null or absent on some models and endpoints. */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  [field: string]: unknown;
}

/**
 * One content block of a response. Loose on purpose: block types keep being added (server tools, citations),
 * and the converters read only the fields they know and skip the rest.
 */
export interface AnthropicResponseBlock {
  type: 'text' | 'tool_use' | 'thinking' | 'redacted_thinking' | (string & {});
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  thinking?: string;
  [field: string]: unknown;
}

export interface AnthropicResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage: AnthropicUsage;
  [field: string]: unknown;
}

export interface AnthropicErrorPayload {
  type: 'error';
  error: { type: string; message: string; [field: string]: unknown };
  request_id?: string;
}

export interface AnthropicStreamDelta {
  type: 'text_delta' | 'input_json_delta' | 'thinking_delta' | 'signature_delta' | (string & {});
  text?: string;
  partial_json?: string;
  thinking?: string;
  signature?: string;
  [field: string]: unknown;
}

/** The events of a streamed message, in the order Anthropic sends them (pings anywhere, unknown types possible). */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicResponse }
  | { type: 'content_block_start'; index: number; content_block: AnthropicResponseBlock }
  | { type: 'content_block_delta'; index: number; delta: AnthropicStreamDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: string | null; stop_sequence?: string | null }; usage?: AnthropicUsage }
  | { type: 'message_stop' }
  | { type: 'ping' }
  | AnthropicErrorPayload;
