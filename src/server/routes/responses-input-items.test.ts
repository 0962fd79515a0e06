import { describe, expect, it } from 'vitest';
import { FrugalError } from '../../errors/frugal-error.js';
import type { StoredInputItem } from '../../wire/responses/responses-types.js';
import { listInputItems } from './responses-input-items.js';

const items: StoredInputItem[] = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ type: 'message', id, role: 'user', content: id }));
const ids = (query: Record<string, string>) => listInputItems(items, query).data.map((item) => item.id);

describe('listInputItems', () => {
  it('pages newest first by default, as OpenAI lists', () => {
    expect(listInputItems(items, { limit: '2' })).toMatchObject({ object: 'list', data: [{ id: 'e' }, { id: 'd' }], first_id: 'e', last_id: 'd', has_more: true });
    expect(ids({ limit: '2', after: 'd' })).toEqual(['c', 'b']);
    expect(listInputItems(items, { after: 'b' })).toMatchObject({ first_id: 'a', last_id: 'a', has_more: false });
  });

  it('pages oldest first with order=asc, and backwards with before', () => {
    expect(ids({ order: 'asc' })).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(ids({ order: 'asc', after: 'b', limit: '2' })).toEqual(['c', 'd']);
    expect(ids({ order: 'asc', before: 'd', limit: '2' })).toEqual(['b', 'c']);
    expect(listInputItems([], {})).toEqual({ object: 'list', data: [], first_id: null, last_id: null, has_more: false });
  });

  it('refuses a bad limit, order or cursor with a 400 naming it', () => {
    for (const [query, param] of [
      [{ limit: '0' }, 'limit'],
      [{ limit: '101' }, 'limit'],
      [{ order: 'up' }, 'order'],
      [{ after: 'zz' }, 'after'],
    ] as const) {
      expect(() => listInputItems(items, query)).toThrow(FrugalError);
      try {
        listInputItems(items, query);
      } catch (error) {
        expect(error).toMatchObject({ status: 400, param });
      }
    }
  });
});
