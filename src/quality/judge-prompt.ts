import type { ChatMessage, ChatRequest } from '../wire/chat-types.js';

/** The most of a conversation or an answer a judge is shown: bounds a judge call's cost whatever was sampled. */
const MAX_CHARS = 12_000;
/** A verdict is one short JSON object. */
export const JUDGE_MAX_TOKENS = 300;

function clip(text: string): string {
  return text.length <= MAX_CHARS ? text : `${text.slice(0, MAX_CHARS / 2)}\n[… ${text.length - MAX_CHARS} characters left out …]\n${text.slice(-MAX_CHARS / 2)}`;
}

function messageText(message: ChatMessage): string {
  const { content } = message as { content?: unknown };
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) => (part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '[non-text part]'))
      .join('\n');
  }
  return '';
}

/** The conversation as the judge reads it: one "role: text" block per message. */
export function conversationText(request: ChatRequest): string {
  return clip((request.messages ?? []).map((message) => `${message.role}: ${messageText(message)}`).join('\n\n'));
}

/** Asks for a 0–1 score against the rubric, with a reason, as one JSON object. */
export function rubricJudgeRequest(rubric: string, request: ChatRequest, answer: string): Omit<ChatRequest, 'model'> {
  return {
    messages: [
      {
        role: 'system',
        content:
          'You grade an AI assistant\'s answer against a rubric. Reply with one JSON object and nothing else: ' +
          '{"score": <a number from 0 (fails the rubric) to 1 (fully meets it)>, "reason": "<one short sentence>"}.',
      },
      { role: 'user', content: `Rubric:\n${rubric}\n\n[Conversation]\n${conversationText(request)}\n\n[Answer to grade]\n${clip(answer)}` },
    ],
    temperature: 0,
    max_tokens: JUDGE_MAX_TOKENS,
  };
}

/** Asks which of two answers to the same conversation is better (A, B or tie), as one JSON object. */
export function pairwiseJudgeRequest(request: ChatRequest, answerA: string, answerB: string): Omit<ChatRequest, 'model'> {
  return {
    messages: [
      {
        role: 'system',
        content:
          'You compare two AI assistants\' answers to the same conversation for correctness, helpfulness and completeness; ' +
          'length alone is not quality. Reply with one JSON object and nothing else: {"winner": "A" | "B" | "tie", "reason": "<one short sentence>"}.',
      },
      { role: 'user', content: `[Conversation]\n${conversationText(request)}\n\n[Answer A]\n${clip(answerA)}\n\n[Answer B]\n${clip(answerB)}` },
    ],
    temperature: 0,
    max_tokens: JUDGE_MAX_TOKENS,
  };
}
