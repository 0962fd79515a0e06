import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../wire/chat-types.js';
import { contextFingerprint } from './context-fingerprint.js';

const options = { scope: 'key:alpha', embedderId: 'offline-v1' };
const ask = (messages: ChatMessage[], fields: Partial<ChatRequest> = {}): ChatRequest => ({ model: 'gpt-4o-mini', messages, temperature: 0, ...fields });
const france: ChatMessage[] = [
  { role: 'user', content: 'What is the capital of France?' },
  { role: 'assistant', content: 'Paris.' },
];
const followUp: ChatMessage = { role: 'user', content: 'What famous landmark can you find there?' };

describe('contextFingerprint', () => {
  it('returns the last user turn, normalised, and a hex fingerprint', () => {
    const key = contextFingerprint(ask([...france, { role: 'user', content: '  What famous   landmark can you find there? ' }]), options);
    expect(key?.query).toBe('What famous landmark can you find there?');
    expect(key?.fingerprint).toMatch(/^[0-9a-f]{64}$/);
  });

  it('gives the same fingerprint whatever the last question, within one conversation', () => {
    const first = contextFingerprint(ask([...france, followUp]), options);
    const second = contextFingerprint(ask([...france, { role: 'user', content: 'How many people live there?' }]), options);
    expect(first?.fingerprint).toBe(second?.fingerprint);
  });

  it('ignores stream and user, like the exact key', () => {
    const plain = contextFingerprint(ask([...france, followUp]), options);
    expect(contextFingerprint(ask([...france, followUp], { stream: true, user: 'u1' }), options)?.fingerprint).toBe(plain?.fingerprint);
  });

  it.each<[string, ChatRequest, Partial<typeof options>?]>([
    ['another conversation', ask([{ role: 'user', content: 'Explain a water molecule.' }, { role: 'assistant', content: 'H2O.' }, followUp])],
    ['no conversation at all', ask([followUp])],
    ['another system prompt', ask([{ role: 'system', content: 'Answer in French.' }, ...france, followUp])],
    ['another model or route', ask([...france, followUp], { model: 'gpt-4o' })],
    ['another answer-changing parameter', ask([...france, followUp], { max_tokens: 5 })],
    ['another tenant', ask([...france, followUp]), { scope: 'key:beta' }],
    ['another embedder', ask([...france, followUp]), { embedderId: 'openai:text-embedding-3-small' }],
    ['another name on the last turn', ask([...france, { ...followUp, name: 'bob' }])],
  ])('changes with %s', (_name, request, override) => {
    const base = contextFingerprint(ask([...france, followUp]), options)!.fingerprint;
    expect(contextFingerprint(request, { ...options, ...override })!.fingerprint).not.toBe(base);
  });

  it('accepts text parts but not images, tool results or an assistant prefill as the last turn', () => {
    expect(contextFingerprint(ask([{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: 'there' }] }]), options)?.query).toBe('Hi\nthere');
    expect(contextFingerprint(ask([{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'https://x/a.png' } }] }]), options)).toBeUndefined();
    expect(contextFingerprint(ask([...france, { role: 'tool', tool_call_id: 'c1', content: '18C' }]), options)).toBeUndefined();
    expect(contextFingerprint(ask([...france, followUp, { role: 'assistant', content: 'The' }]), options)).toBeUndefined();
    expect(contextFingerprint(ask([{ role: 'user', content: '   ' }]), options)).toBeUndefined();
  });
});
