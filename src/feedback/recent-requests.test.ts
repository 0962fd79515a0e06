import { describe, expect, it } from 'vitest';
import type { LedgerRow } from '../ledger/ledger-row.js';
import { ledgerWorkload } from '../ledger/ledger-store.case.js';
import { createRecentRequests } from './recent-requests.js';

describe('createRecentRequests', () => {
  const [template] = ledgerWorkload();
  const row = (id: string, ts: number, keyId: string | null): LedgerRow => ({ ...template, id, ts, keyId });

  it('passes every row on unchanged and remembers its id, start and key', () => {
    const passed: LedgerRow[] = [];
    const recent = createRecentRequests();
    const sink = recent.sink({ record: (written) => passed.push(written) });
    const first = row('r1', 10, 'vk_a');
    sink.record(first);
    expect(passed).toEqual([first]);
    expect(recent.get('r1')).toEqual({ id: 'r1', ts: 10, keyId: 'vk_a' });
    expect(recent.get('r2')).toBeUndefined();
  });

  it('keeps the newest row of a reused id and forgets the oldest ids past its bound', () => {
    const recent = createRecentRequests({ maxEntries: 2 });
    const sink = recent.sink({ record: () => {} });
    sink.record(row('r1', 1, null));
    sink.record(row('r2', 2, null));
    sink.record(row('r1', 3, 'vk_b')); // reused: now the newest entry
    sink.record(row('r3', 4, null)); // evicts r2, the oldest
    expect(recent.size).toBe(2);
    expect(recent.get('r2')).toBeUndefined();
    expect(recent.get('r1')).toEqual({ id: 'r1', ts: 3, keyId: 'vk_b' });
    expect(recent.get('r3')).toMatchObject({ ts: 4 });
  });
});
