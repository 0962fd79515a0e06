import type { ChatMessage } from '../wire/chat-types.js';

/** One piece of text a compressor may rewrite: a string content, or one text part of a multi-part content. */
export interface TextSlot {
  messageIndex: number;
  /** Index in the content array, or null when the content is a plain string. */
  partIndex: number | null;
  text: string;
}

/** The text slots of one message, in order; images and other parts are never slots. */
export function messageSlots(message: ChatMessage, messageIndex: number): TextSlot[] {
  const content = message.content;
  if (typeof content === 'string') return [{ messageIndex, partIndex: null, text: content }];
  if (!Array.isArray(content)) return [];
  const slots: TextSlot[] = [];
  content.forEach((part, partIndex) => {
    if (part.type === 'text' && typeof part.text === 'string') slots.push({ messageIndex, partIndex, text: part.text });
  });
  return slots;
}

/** A copy of `message` whose slot holds `text`; the input message is never mutated. */
export function withSlotText(message: ChatMessage, partIndex: number | null, text: string): ChatMessage {
  if (partIndex === null || !Array.isArray(message.content)) return { ...message, content: text };
  const content = message.content.map((part, index) => (index === partIndex ? { ...part, text } : part));
  return { ...message, content };
}

/** Applies replacements (keyed by slot) to a message list, copying only the messages that change. */
export function replaceSlots(messages: readonly ChatMessage[], replacements: readonly TextSlot[]): ChatMessage[] {
  const result = [...messages];
  for (const slot of replacements) result[slot.messageIndex] = withSlotText(result[slot.messageIndex], slot.partIndex, slot.text);
  return result;
}
