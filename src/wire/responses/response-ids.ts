/**
 * Ids of a response and its items. An item's id embeds its response's id, so an `item_reference` finds its
 * response (and its owner check) with one lookup and no item index: `msg_<hex>_0` belongs to `resp_<hex>`.
 */

const RESPONSE_ID = /^resp_([0-9a-f]{32})$/;
const ITEM_ID = /^[a-z]+_([0-9a-f]{32})_(?:in)?\d+$/;

/** `resp_` and 32 hex digits; `hex` comes from the caller (a UUID without dashes), so this stays pure. */
export function responseIdOf(hex: string): string {
  return `resp_${hex}`;
}

export function isResponseId(id: string): boolean {
  return RESPONSE_ID.test(id);
}

function hexOf(responseId: string): string {
  return RESPONSE_ID.exec(responseId)?.[1] ?? responseId.replace(/^resp_/, '');
}

/** The id of the output item at `index`: `msg_…` for messages, `fc_…` for function calls, `rs_…` for reasoning. */
export function outputItemId(responseId: string, kind: 'msg' | 'fc' | 'rs', index: number): string {
  return `${kind}_${hexOf(responseId)}_${index}`;
}

/** The id given to an input item that came without one. */
export function inputItemId(responseId: string, index: number): string {
  return `item_${hexOf(responseId)}_in${index}`;
}

/** The response an item id was minted for, or undefined for an id Frugal did not mint. */
export function responseOfItem(itemId: string): string | undefined {
  const hex = ITEM_ID.exec(itemId)?.[1];
  return hex === undefined ? undefined : `resp_${hex}`;
}
