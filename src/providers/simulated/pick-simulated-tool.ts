import { FrugalError } from '../../errors/frugal-error.js';
import { contentText } from '../../tokens/count-tokens.js';
import type { ChatMessage, ChatRequest, ToolDefinition } from '../../wire/chat-types.js';

/** Which tool the simulated model calls, and why (the why is for tests and docs, never sent). */
export interface ToolPick {
  tool: ToolDefinition;
  reason: 'named' | 'best_match' | 'first_offered';
}

/**
 * The simulated model's tool decision, deterministic and easy to predict:
 * - `none`, or no tools offered → no call;
 * - a named function → that function (unknown name → 400, as OpenAI);
 * - `required` → the best-matching tool, always;
 * - `auto` (OpenAI's default when tools are offered) → the best-matching tool when the last message is the
 *   user's; after a tool result (or an assistant turn) it answers in text, as a model does once it has the data.
 * "Best match": most words shared between the last user message and the tool's name (snake_case and camelCase
 * split) and description; ties go to the tool offered first.
 */
export function pickSimulatedTool(request: ChatRequest): ToolPick | undefined {
  const tools = request.tools ?? [];
  const choice = request.tool_choice ?? 'auto';
  if (tools.length === 0 || choice === 'none') return undefined;
  if (typeof choice === 'object') {
    const named = tools.find((tool) => tool.function.name === choice.function?.name);
    if (named === undefined) {
      throw new FrugalError('invalid_request', `tool_choice names '${String(choice.function?.name)}', which is not among the offered tools.`, { param: 'tool_choice' });
    }
    return { tool: named, reason: 'named' };
  }
  if (choice === 'auto' && request.messages[request.messages.length - 1]?.role !== 'user') return undefined;
  return bestMatch(tools, lastUserText(request.messages));
}

function bestMatch(tools: readonly ToolDefinition[], prompt: string): ToolPick {
  const promptWords = new Set(wordsOf(prompt));
  let best = tools[0];
  let bestScore = 0;
  for (const tool of tools) {
    const toolWords = new Set(wordsOf(`${tool.function.name} ${tool.function.description ?? ''}`));
    let score = 0;
    for (const word of toolWords) if (promptWords.has(word)) score += 1;
    if (score > bestScore) {
      best = tool;
      bestScore = score;
    }
  }
  return { tool: best, reason: bestScore > 0 ? 'best_match' : 'first_offered' };
}

// Words too common to say anything about which tool fits.
const STOP_WORDS = new Set(['a', 'an', 'the', 'of', 'to', 'in', 'on', 'for', 'and', 'or', 'is', 'are', 'what', 'get', 'me', 'my', 'it', 'with', 'by', 'from', 'at', 'be', 'this', 'that', 'please']);

/** Lower-case words, with `get_weather` and `getWeather` read as "get weather". */
export function wordsOf(text: string): string[] {
  const spaced = text.replace(/([\p{Ll}\p{N}])(\p{Lu})/gu, '$1 $2');
  return (spaced.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !STOP_WORDS.has(word));
}

/** The text of the last user message ('' when there is none). */
export function lastUserText(messages: readonly ChatMessage[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index].role === 'user') return contentText(messages[index].content);
  }
  return '';
}
