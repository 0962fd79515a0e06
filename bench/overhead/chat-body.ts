/** The load: a chat-completions body of about 1 KB. */
export const BODY_BYTES = 1024;

export interface ChatBodyOptions {
  stream: boolean;
  /** A mock upstream directive such as `[[mock:first_token_ms=50]]`, placed in the last user message. */
  directive?: string;
}

/**
 * A realistic ~1 KB body (system prompt + user question), padded in the system prompt to BODY_BYTES so
 * every scenario sends the same bytes whatever its directive.
 * @example chatBody({ stream: true, directive: '[[mock:chunk_gap_ms=5]]' })
 */
export function chatBody({ stream, directive = '' }: ChatBodyOptions): string {
  const build = (padding: string) =>
    JSON.stringify({
      model: 'gpt-4o-mini',
      stream,
      // OpenAI's default temperature: above Frugal's cache threshold, so every request takes the proxy path
      // (verifyEndpoint checks that the upstream really answers each one).
      temperature: 1,
      max_tokens: 64,
      messages: [
        { role: 'system', content: `You are a concise assistant for an internal support desk. Answer in one sentence. ${padding}` },
        { role: 'user', content: `What is the status of ticket 4711? ${directive}`.trim() },
      ],
    });
  const unpadded = Buffer.byteLength(build(''));
  const filler = 'Keep answers short and cite the ticket number. ';
  const padding = filler.repeat(Math.ceil(BODY_BYTES / filler.length)).slice(0, Math.max(0, BODY_BYTES - unpadded));
  return build(padding);
}
