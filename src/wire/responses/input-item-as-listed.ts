import type { ListedInputItem, MessageContentPart, StoredInputItem } from './responses-types.js';

function partsOf(content: string | MessageContentPart[], role: string): MessageContentPart[] {
  const assistant = role === 'assistant';
  if (typeof content === 'string') return [assistant ? { type: 'output_text', text: content, annotations: [] } : { type: 'input_text', text: content }];
  return content.map((part) => (part.type === 'output_text' ? { ...part, annotations: part.annotations ?? [] } : part));
}

/**
 * A stored input item as OpenAI lists it (`GET /v1/responses/{id}/input_items`): a message's content always an
 * array of parts (a string given as input becomes one input_text part, or output_text for the assistant),
 * every item with its `status`, and only the item's own fields. Clients index `item.content[0].text`, which
 * a string content would break. The stored item stays as it was given; this is its listed form only.
 */
export function inputItemAsListed(item: StoredInputItem): ListedInputItem {
  const status = item.status ?? 'completed';
  switch (item.type) {
    case 'function_call':
      return { id: item.id, type: 'function_call', status, call_id: item.call_id, name: item.name, arguments: item.arguments };
    case 'function_call_output':
      return { id: item.id, type: 'function_call_output', status, call_id: item.call_id, output: item.output };
    default:
      return { id: item.id, type: 'message', status, role: item.role, content: partsOf(item.content, item.role) };
  }
}
