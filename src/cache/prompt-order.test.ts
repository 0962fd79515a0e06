import { describe, expect, it } from 'vitest';
import { createPromptOrderWatch } from './prompt-order.js';

const STATIC = 'Company handbook. '.repeat(300);

describe('prompt order watch', () => {
  it('flags variable content placed before a long static block, once the block is known to be static', () => {
    const watch = createPromptOrderWatch({ seenToBeStatic: 2 });
    const request = (i: number) => [
      { role: 'system' as const, content: `Today is day ${i}.` },
      { role: 'user' as const, content: STATIC },
      { role: 'user' as const, content: `question ${i}` },
    ];
    expect(watch.check('r', request(1))).toBeUndefined();
    expect(watch.check('r', request(2))).toBeUndefined();
    expect(watch.check('r', request(3))).toEqual({ staticIndex: 1, staticTokens: Math.round(STATIC.length / 4) });
  });

  it('stays quiet when the static block comes first', () => {
    const watch = createPromptOrderWatch({ seenToBeStatic: 2 });
    for (let i = 0; i < 5; i += 1) {
      expect(watch.check('r', [{ role: 'system', content: STATIC }, { role: 'user', content: `Today is day ${i}.` }, { role: 'user', content: `q ${i}` }])).toBeUndefined();
    }
  });
});
