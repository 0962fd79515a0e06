import { describe, expect, it } from 'vitest';
import { redactJson, redactText } from './redact-sample.js';

describe('sample redaction', () => {
  it('removes key-shaped strings and the route patterns, keeping the rest', () => {
    const patterns = [/\b\d{3}-\d{2}-\d{4}\b/g, /card \d{4}/g];
    expect(redactText('my key sk-proj-abcdefghijklmnop, ssn 123-45-6789, card 4242 ok', patterns)).toBe('my key [redacted], ssn [redacted], [redacted] ok');
  });

  it('redacts every string of a message list, including content parts, and leaves the input unchanged', () => {
    const messages = [
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'token SECRET-42 "quoted"' }] },
    ];
    const redacted = redactJson(messages, [/SECRET-\d+/g]);
    expect(redacted).toEqual([
      { role: 'system', content: 'be brief' },
      { role: 'user', content: [{ type: 'text', text: 'token [redacted] "quoted"' }] },
    ]);
    expect(messages[1].content).toEqual([{ type: 'text', text: 'token SECRET-42 "quoted"' }]);
  });

  it('replaces NUL, which a PostgreSQL text column refuses, so one answer cannot fail a batch of samples', () => {
    expect(redactText('a\u0000b sk-proj-abcdefghijklmnop', [])).toBe('a\uFFFDb [redacted]');
    expect(redactJson({ text: 'x\u0000' }, [])).toEqual({ text: 'x\uFFFD' });
  });
});
