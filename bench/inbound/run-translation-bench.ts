// The translation alone, in process: what the Responses and Messages doors do to a request and its answer on top
// of a chat call (schema check, request → chat, chat answer → the door's shape), per call, beside the chat door's
// own schema check as the baseline. Run: node --import tsx bench/inbound/run-translation-bench.ts [iterations]
import { checkChatRequest } from '../../src/wire/chat-request-schema.js';
import type { ChatResponse } from '../../src/wire/chat-types.js';
import { chatResponseToMessages } from '../../src/wire/anthropic/chat-response-to-messages.js';
import { checkMessagesRequest } from '../../src/wire/anthropic/messages-request-schema.js';
import { messagesToChatRequest } from '../../src/wire/anthropic/messages-to-chat-request.js';
import { chatToResponse, responseEnvelope } from '../../src/wire/responses/chat-to-response.js';
import { checkResponsesRequest } from '../../src/wire/responses/responses-request-schema.js';
import { inputItemsOf, responsesToChat } from '../../src/wire/responses/responses-to-chat.js';

const ITERATIONS = Number(process.argv[2] ?? 200_000);
const SYSTEM = 'You are a concise assistant for an internal support desk. Answer in one sentence. Keep answers short and cite the ticket number.';
const QUESTION = 'What is the status of ticket 4711?';
const chatBody = { model: 'gpt-4o-mini', temperature: 1, max_tokens: 64, messages: [{ role: 'system', content: SYSTEM }, { role: 'user', content: QUESTION }] };
const responsesBody = { model: 'gpt-4o-mini', temperature: 1, max_output_tokens: 64, instructions: SYSTEM, input: QUESTION };
const messagesBody = { model: 'gpt-4o-mini', temperature: 1, max_tokens: 64, system: SYSTEM, messages: [{ role: 'user', content: QUESTION }] };
const answer: ChatResponse = {
  id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'gpt-4o-mini',
  choices: [{ index: 0, message: { role: 'assistant', content: 'Ticket 4711 is waiting for the customer to confirm the fix.' }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 40, completion_tokens: 14, total_tokens: 54 },
} as ChatResponse;
const usage = { promptTokens: 40, completionTokens: 14, cachedPromptTokens: 0, cacheCreationTokens: 0, reasoningTokens: 0, estimated: false };

const doors: Record<string, () => unknown> = {
  chat: () => checkChatRequest(structuredClone(chatBody)),
  responses: () => {
    const checked = checkResponsesRequest(structuredClone(responsesBody));
    if (!checked.ok) throw new Error(checked.issue.message);
    responsesToChat(checked.value, inputItemsOf(checked.value) as never);
    return chatToResponse(answer, responseEnvelope(checked.value, 'resp_1', 1), 2);
  },
  messages: () => {
    const checked = checkMessagesRequest(structuredClone(messagesBody));
    if (!checked.ok) throw new Error(checked.issue.message);
    messagesToChatRequest(checked.value, []);
    return chatResponseToMessages(answer, usage);
  },
};

function timePerCall(run: () => unknown): number {
  for (let i = 0; i < 20_000; i += 1) run();
  const start = process.hrtime.bigint();
  for (let i = 0; i < ITERATIONS; i += 1) run();
  return Number(process.hrtime.bigint() - start) / 1e3 / ITERATIONS;
}

console.log(`translation per call, ${ITERATIONS} calls each (µs; chat = the chat door's own schema check, for reference)\n`);
console.log('| door | µs per call | over chat µs |');
console.log('|---|---|---|');
const chat = timePerCall(doors.chat);
for (const [door, run] of Object.entries(doors)) {
  const us = door === 'chat' ? chat : timePerCall(run);
  console.log(`| ${door} | ${us.toFixed(2)} | ${door === 'chat' ? '—' : (us - chat).toFixed(2)} |`);
}
