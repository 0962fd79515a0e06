import { FrugalError } from '../../errors/frugal-error.js';
import { inputItemAsListed } from '../../wire/responses/input-item-as-listed.js';
import type { InputItemList, StoredInputItem } from '../../wire/responses/responses-types.js';

/**
 * One page of a stored response's input items, as OpenAI pages lists: `order` (desc by default), `limit`
 * (1–100, default 20), and `after` / `before` cursors naming an item id; each item in OpenAI's listed form.
 */
export function listInputItems(items: readonly StoredInputItem[], query: Record<string, string | undefined>): InputItemList {
  const order = query.order ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new FrugalError('invalid_request', "Invalid 'order': expected 'asc' or 'desc'.", { param: 'order' });
  const limit = query.limit === undefined ? 20 : Number(query.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new FrugalError('invalid_request', "Invalid 'limit': expected an integer from 1 to 100.", { param: 'limit' });
  let ordered = order === 'asc' ? [...items] : [...items].reverse();
  for (const cursor of ['after', 'before'] as const) {
    const id = query[cursor];
    if (id === undefined) continue;
    const at = ordered.findIndex((item) => item.id === id);
    if (at === -1) throw new FrugalError('invalid_request', `Invalid '${cursor}': no input item with id '${id}'.`, { param: cursor });
    ordered = cursor === 'after' ? ordered.slice(at + 1) : ordered.slice(0, at);
  }
  // `before` pages backwards: the items just before the cursor, still in the requested order.
  const page = query.before !== undefined && query.after === undefined ? ordered.slice(-limit) : ordered.slice(0, limit);
  return { object: 'list', data: page.map(inputItemAsListed), first_id: page[0]?.id ?? null, last_id: page[page.length - 1]?.id ?? null, has_more: ordered.length > page.length };
}
