import { describe, expect, it } from 'vitest';
import { createQualityBudget } from './quality-budget.js';

const who = { model: 'gpt-4o', provider: 'openai' };

describe('quality budget', () => {
  it('refuses a call whose worst case does not fit, counting calls in flight and spent', async () => {
    const budget = createQualityBudget({ limitNanosPerDay: 1_000, now: () => Date.UTC(2026, 0, 1, 12) });
    const first = await budget.hold.beginAttempt(600, who);
    await expect(budget.hold.beginAttempt(500, who)).rejects.toMatchObject({ code: 'budget_exceeded' });
    await first.end(300);
    expect(budget.usage()).toMatchObject({ spentNanos: 300, heldNanos: 0 });
    const second = await budget.hold.beginAttempt(700, who);
    await second.end(700);
    await expect(budget.hold.beginAttempt(1, who)).rejects.toMatchObject({ code: 'budget_exceeded' });
  });

  it('starts afresh on the next UTC day', async () => {
    let now = Date.UTC(2026, 0, 1, 23, 59);
    const budget = createQualityBudget({ limitNanosPerDay: 100, now: () => now });
    await (await budget.hold.beginAttempt(100, who)).end(100);
    await expect(budget.hold.beginAttempt(1, who)).rejects.toMatchObject({ code: 'budget_exceeded' });
    now = Date.UTC(2026, 0, 2, 0, 1);
    await (await budget.hold.beginAttempt(100, who)).end(90);
    expect(budget.usage()).toMatchObject({ day: '2026-01-02', spentNanos: 90 });
  });
});
