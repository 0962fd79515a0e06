import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainValidChatRequest } from './chat-request-fast-check.js';
import { checkChatRequest, checkChatRequestBySchema } from './chat-request-schema.js';

// Values near every edge the schema draws: wrong types, bounds, non-integers, unstorable text, long text.
const edgyString = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('', 'gpt-4o-mini', 'a\u0000b', 'x\ud800', '\udc00y', 'ok\ud83d\ude00', 'x'.repeat(256), 'x'.repeat(257)),
);
const edgyNumber = fc.oneof(
  fc.constantFrom(-1, 0, 0.5, 1, 1.5, 2, 2.0001, 20, 21, 128, 129, 2 ** 53, -(2 ** 53), Number.MAX_SAFE_INTEGER, Number.NaN, Number.POSITIVE_INFINITY),
  fc.double(),
  fc.integer(),
);
/** Text the schema takes anywhere: 1 to 256 printable characters. */
const goodText = fc.string({ minLength: 1, maxLength: 24 });
const anyValue = fc.oneof(edgyString, edgyNumber, fc.constantFrom(-1, 0, 0.5, 1, 2, 2.0001, 20, 21, 128, 129, 2 ** 53), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), fc.jsonValue({ maxDepth: 2 }));
/** Mostly a plausible value, sometimes anything: enough bodies pass the fast check for the property to bite. */
const maybe = <T,>(arbitrary: fc.Arbitrary<T>) => fc.oneof({ arbitrary, weight: 15 }, { arbitrary: anyValue, weight: 1 });
/** A number in [min, max] (an integer when asked), or often one just past an edge the schema draws. */
const near = (min: number, max: number, integer: boolean) =>
  fc.oneof(
    { weight: 9, arbitrary: integer ? fc.integer({ min, max }) : fc.double({ min, max, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(min - 1, max + 1, max + 0.0001, min - 0.0001, integer ? min + 0.5 : max, Number.NaN, Number.POSITIVE_INFINITY) },
  );
const rarely = fc.oneof({ arbitrary: fc.constant(undefined), weight: 15 }, { arbitrary: anyValue, weight: 1 });

const message = fc.oneof(
  { weight: 15, arbitrary: fc.record(
    {
      role: maybe(fc.constantFrom('system', 'developer', 'user', 'assistant', 'tool', 'function')),
      content: fc.oneof({ arbitrary: goodText, weight: 24 }, edgyString, fc.constant(null), fc.constant([{ type: 'text', text: 'hi' }]), fc.constant([{ text: 'no type' }]), anyValue),
      name: maybe(goodText),
      tool_call_id: maybe(goodText),
      tool_calls: rarely,
    },
    { requiredKeys: ['role'] },
  ) },
  { arbitrary: anyValue, weight: 1 },
);

const body = fc.record(
  {
    model: maybe(fc.oneof({ weight: 8, arbitrary: goodText }, { weight: 1, arbitrary: fc.constantFrom('', 'x'.repeat(256), 'x'.repeat(257)) })),
    messages: maybe(fc.oneof({ weight: 8, arbitrary: fc.array(message, { minLength: 1, maxLength: 3 }) }, { weight: 1, arbitrary: fc.constant([]) })),
    stream: maybe(fc.boolean()),
    stream_options: maybe(fc.record({ include_usage: maybe(fc.boolean()) }, { requiredKeys: [] })),
    max_tokens: maybe(near(1, 2 ** 31, true)),
    max_completion_tokens: maybe(near(1, 2 ** 31, true)),
    temperature: maybe(near(0, 2, false)),
    top_p: maybe(near(0, 1, false)),
    n: maybe(near(1, 128, true)),
    seed: maybe(near(-(2 ** 31), 2 ** 31, true)),
    logprobs: maybe(fc.boolean()),
    top_logprobs: maybe(near(0, 20, true)),
    user: maybe(goodText),
    metadata: fc.oneof(fc.constant(null), fc.constant({ team: 'a' }), rarely),
    stop: rarely,
    tools: rarely,
    unknown_field: anyValue,
  },
  { requiredKeys: [] },
);

describe('plainValidChatRequest', () => {
  it('never accepts a body the schema refuses', () => {
    let accepted = 0;
    fc.assert(
      fc.property(body, (candidate) => {
        if (!plainValidChatRequest(candidate)) return;
        accepted += 1;
        expect(checkChatRequestBySchema(candidate)).toEqual({ ok: true, value: candidate });
      }),
      { numRuns: 2500 },
    );
    // The property is only as strong as the bodies that reach it.
    expect(accepted).toBeGreaterThan(100);
  });

  it('gives the same answer as the schema alone, errors included', () => {
    fc.assert(
      fc.property(fc.oneof(body, anyValue), (candidate) => {
        expect(checkChatRequest(candidate)).toEqual(checkChatRequestBySchema(candidate));
      }),
      { numRuns: 500 },
    );
  });

  it('takes the fast path for the bodies SDKs send most', () => {
    const chat = { model: 'gpt-4o-mini', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi', name: 'ann' }] };
    expect(plainValidChatRequest(chat)).toBe(true);
    expect(plainValidChatRequest({ ...chat, stream: true, stream_options: { include_usage: true }, temperature: 1, max_tokens: 64, user: 'u1', seed: 7 })).toBe(true);
    expect(plainValidChatRequest({ ...chat, messages: [...chat.messages, { role: 'assistant', content: null }, { role: 'tool', content: '42', tool_call_id: 'c1' }] })).toBe(true);
  });

  it('leaves the rest to the schema', () => {
    const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] };
    expect(plainValidChatRequest({ ...chat, tools: [{ type: 'function', function: { name: 'f' } }] })).toBe(false);
    expect(plainValidChatRequest({ ...chat, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] })).toBe(false);
    expect(plainValidChatRequest({ ...chat, temperature: 2.5 })).toBe(false);
    expect(plainValidChatRequest({ ...chat, model: 'a\u0000b' })).toBe(false);
  });
});
