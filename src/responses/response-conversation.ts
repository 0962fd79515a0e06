import { FrugalError } from '../errors/frugal-error.js';
import { inputItemId, responseOfItem } from '../wire/responses/response-ids.js';
import { inputItemsOf, type ConversationItem } from '../wire/responses/responses-to-chat.js';
import type { OutputItem, ResponsesRequest, StoredInputItem } from '../wire/responses/responses-types.js';
import type { ResponseStore, StoredResponse } from './response-store.js';

/** A chain longer than this is refused rather than walked: each step is one database read. */
export const MAX_CHAIN_LENGTH = 1_000;

export interface ResolvedConversation {
  /** The stored chain of `previous_response_id`, oldest first: each response's input, then its output. */
  history: ConversationItem[];
  /** This request's input with references resolved and ids given: what the new response stores. */
  inputItems: StoredInputItem[];
  /** Where each of `inputItems` stood in the request's `input` (reasoning items leave gaps), to name it in errors. */
  inputIndexes: number[];
}

/**
 * Output items are input items too (a message with output_text, a function call): the next turn takes them as
 * they are. Reasoning stays out: providers take back only their own signed or encrypted thinking.
 */
const asItems = (output: readonly OutputItem[]): StoredInputItem[] => output.filter((item) => item.type !== 'reasoning') as unknown as StoredInputItem[];

function notFound(message: string, param: string): FrugalError {
  // The same answer whether the item never existed or belongs to another key: one key learns nothing of another's.
  return new FrugalError('not_found', message, { param });
}

async function chainOf(store: ResponseStore, owner: string | null, previousId: string): Promise<StoredResponse[]> {
  const chain: StoredResponse[] = [];
  let id: string | null = previousId;
  while (id !== null) {
    if (chain.length >= MAX_CHAIN_LENGTH) {
      throw new FrugalError('limit_exceeded', `The chain of previous responses is longer than ${MAX_CHAIN_LENGTH}.`, { param: 'previous_response_id' });
    }
    const stored = await store.get(id, owner);
    if (!stored) {
      const message = id === previousId ? `Previous response with id '${id}' not found.` : `Response '${id}', earlier in the chain of '${previousId}', was deleted.`;
      // OpenAI answers an unknown previous response with a 400 and this code; clients that recover by
      // sending the whole conversation again (Codex and the proxies in front of it) look for exactly it.
      throw new FrugalError('invalid_request', message, { param: 'previous_response_id', upstreamCode: 'previous_response_not_found' });
    }
    // A response still streaming has no output yet: continuing it would answer without its answer.
    if (stored.response.status === 'in_progress') {
      throw new FrugalError('invalid_request', `Previous response with id '${id}' is still in progress.`, { param: 'previous_response_id' });
    }
    chain.push(stored);
    id = stored.previousResponseId;
  }
  return chain.reverse();
}

async function resolveReference(store: ResponseStore, owner: string | null, itemId: string, param: string, seen: Map<string, StoredResponse | undefined>) {
  const responseId = responseOfItem(itemId);
  let stored: StoredResponse | undefined;
  if (responseId !== undefined) {
    if (!seen.has(responseId)) seen.set(responseId, await store.get(responseId, owner));
    stored = seen.get(responseId);
  }
  const found = stored?.response.output.find((item) => item.id === itemId) ?? stored?.inputItems.find((item) => item.id === itemId);
  if (!found) throw notFound(`Item with id '${itemId}' not found.`, param);
  // A reference to reasoning is honoured by leaving it out, as reasoning items given inline are.
  return found.type === 'reasoning' ? undefined : (found as StoredInputItem);
}

/**
 * What the model sees for a request: the stored chain of `previous_response_id` (its inputs and outputs,
 * never its instructions) and this request's input, `item_reference`s replaced by the stored items they
 * point to. Reasoning items are dropped: they carry state only OpenAI's own models can read.
 */
export async function resolveConversation(store: ResponseStore, owner: string | null, request: ResponsesRequest, responseId: string): Promise<ResolvedConversation> {
  const history: ConversationItem[] = [];
  if (request.previous_response_id) {
    for (const stored of await chainOf(store, owner, request.previous_response_id)) history.push(...stored.inputItems, ...asItems(stored.response.output));
  }
  const seen = new Map<string, StoredResponse | undefined>();
  const inputItems: StoredInputItem[] = [];
  const inputIndexes: number[] = [];
  for (const [index, item] of inputItemsOf(request).entries()) {
    if (item.type === 'reasoning') continue;
    if (item.type === 'item_reference') {
      const resolved = await resolveReference(store, owner, item.id, `input[${index}].id`, seen);
      if (resolved) {
        inputItems.push(resolved);
        inputIndexes.push(index);
      }
      continue;
    }
    const given = item as Exclude<typeof item, { type: 'reasoning' | 'item_reference' }>;
    inputItems.push({ ...given, type: given.type ?? 'message', id: given.id ?? inputItemId(responseId, index) } as StoredInputItem);
    inputIndexes.push(index);
  }
  return { history, inputItems, inputIndexes };
}
