import fc from 'fast-check';

/**
 * Hostile inputs, as JSON text fragments where it matters: JSON.stringify cannot write 1e309, duplicate keys
 * or a 50 000-deep array cheaply, and those are what a client can send.
 */

const SPECIAL_STRINGS = ['\u0000', 'a\u0000b', '\ud800', '\udfff', 'x\udc00y', '\u202e', '\ufeff', '\u2028\u2029', '\u{1f600}', 'e\u0301', '\r\n', '../../etc/passwd', '%00', '${HOME}', '{{x}}', '<script>'];

/** Strings a client may send: NUL, lone surrogates, bidi marks, combining marks, any code point. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...SPECIAL_STRINGS),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.tuple(fc.constantFrom(...SPECIAL_STRINGS), fc.string({ maxLength: 10 })).map(([special, rest]) => rest + special + rest),
);

/** A JSON string literal of the hostile string (JSON.stringify escapes NUL and lone surrogates as \u escapes). */
const stringFragment = hostileString.map((text) => JSON.stringify(text));

const numberFragment = fc.oneof(
  fc.constantFrom('1e309', '-1e309', '1e-400', '-0', '123456789012345678901234567890', '0.1e1', '1E400', '4294967297', '-1', '0', '2.5', '9007199254740993'),
  fc.double().map((value) => (Number.isFinite(value) ? JSON.stringify(value) : '1e309')),
);

/** Nesting deep enough to overflow a recursive walk (JSON.stringify, a canonicaliser, a validator). */
const deepFragment = fc.tuple(fc.integer({ min: 2_000, max: 60_000 }), fc.constantFrom('array', 'object')).map(([depth, kind]) =>
  kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
);

/** A string of 100 KB to 2 MB (the body limit is 10 MB; bigger only slows the suite). */
const giantFragment = fc.tuple(fc.integer({ min: 100_000, max: 2_000_000 }), fc.constantFrom('a', 'é', '\u{1f600}', ' ', '\\u0000')).map(([size, unit]) => `"${unit.repeat(Math.ceil(size / unit.length))}"`);

/** Any JSON value as text, hostile or not, to put where a field is expected. */
export const hostileFragment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: stringFragment },
  { weight: 3, arbitrary: numberFragment },
  { weight: 1, arbitrary: fc.constantFrom('null', 'true', 'false', '[]', '{}', '[null]', '{"":null}') },
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
  { weight: 1, arbitrary: deepFragment },
  { weight: 1, arbitrary: giantFragment },
);

/** An object literal from entries, keys possibly repeated (JSON allows it; parsers keep the last). */
export const objectText = (entries: ReadonlyArray<readonly [string, string]>) => `{${entries.map(([key, value]) => `${JSON.stringify(key)}:${value}`).join(',')}}`;

const contentFragment = fc.oneof(
  { weight: 2, arbitrary: hostileFragment },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('text', 'image_url', 'input_audio', 'file', 'nope'), hostileFragment), { maxLength: 3 })
      .map((parts) => `[${parts.map(([type, value]) => objectText([['type', JSON.stringify(type)], [type === 'text' ? 'text' : type, value]])).join(',')}]`),
  },
);

const messageFragment = fc
  .record({
    role: fc.oneof(fc.constantFrom('"user"', '"system"', '"assistant"', '"tool"', '"developer"'), hostileFragment),
    content: contentFragment,
    extra: fc.array(fc.tuple(fc.constantFrom('name', 'tool_calls', 'tool_call_id', 'role', 'content', 'refusal', 'audio'), hostileFragment), { maxLength: 2 }),
  })
  .map(({ role, content, extra }) => objectText([['role', role], ['content', content], ...extra]));

const messagesFragment = fc.oneof({ weight: 4, arbitrary: fc.array(messageFragment, { minLength: 1, maxLength: 3 }).map((items) => `[${items.join(',')}]`) }, { weight: 1, arbitrary: hostileFragment });

const CHAT_FIELDS = ['stream', 'max_tokens', 'max_completion_tokens', 'n', 'temperature', 'top_p', 'tools', 'tool_choice', 'response_format', 'user', 'metadata', 'stop', 'logit_bias', 'seed', 'stream_options', 'parallel_tool_calls', 'reasoning_effort', '__proto__', 'constructor'];

/**
 * A chat-completions body: usually the right skeleton (so validation passes and the cache, router and ledger see
 * it) with hostile values in it, sometimes wrong types anywhere, duplicate keys, or not JSON at all.
 */
export function chatBody(model: fc.Arbitrary<string>, stream: boolean): fc.Arbitrary<string> {
  const fields = fc.array(fc.tuple(fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...CHAT_FIELDS) }, { weight: 1, arbitrary: hostileString }), hostileFragment), { maxLength: 4 });
  const skeleton = fc.tuple(model, messagesFragment, fields, fc.boolean(), fc.boolean()).map(([name, messages, extra, duplicate, cacheable]) => {
    // temperature 0 makes the request cacheable: the exact and semantic cache keys are computed over all of it.
    const entries: Array<[string, string]> = [['model', JSON.stringify(name)], ['messages', messages], ...(cacheable ? [['temperature', '0'] as [string, string]] : []), ...extra];
    if (stream) entries.push(['stream', 'true']);
    if (duplicate) entries.push(['model', JSON.stringify(name)]);
    return objectText(entries);
  });
  const nested = fc.tuple(model, deepInOpenPlace, fc.boolean()).map(([name, place, cacheable]) => place(name, cacheable));
  return fc.oneof({ weight: 8, arbitrary: skeleton }, { weight: 2, arbitrary: nested }, { weight: 1, arbitrary: hostileFragment }, { weight: 1, arbitrary: notJson });
}

/**
 * A valid request with deep nesting where the schema lets any JSON through (free-form objects, extra keys of a
 * content part or message, tool parameters): it passes validation and reaches the cache key, the router and the
 * ledger, where a recursive walk overflows the stack.
 */
const deepInOpenPlace: fc.Arbitrary<(model: string, cacheable: boolean) => string> = fc.tuple(deepFragment, fc.nat(5)).map(([deep, where]) => (model, cacheable) => {
  const user = (content: string, extra = '') => `[{"role":"user","content":${content}${extra}}]`;
  const head = `"model":${JSON.stringify(model)}${cacheable ? ',"temperature":0' : ''}`;
  switch (where) {
    case 0:
      return `{${head},"messages":${user('"hi"')},"logit_bias":${deep}}`;
    case 1:
      return `{${head},"messages":${user(`[{"type":"text","text":"hi","extra":${deep}}]`)}}`;
    case 2:
      return `{${head},"messages":${user('"hi"', `,"extra":${deep}`)}}`;
    case 3:
      return `{${head},"messages":${user('"hi"')},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":${deep}}}}]}`;
    case 4:
      return `{${head},"messages":${user('"hi"')},"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":${deep}}}}`;
    default:
      return `{${head},"messages":${user('"hi"')},"unknown_field":${deep}}`;
  }
});

/** An embeddings body, built the same way. */
export function embeddingsBody(model: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const input = fc.oneof(hostileFragment, fc.array(hostileFragment, { maxLength: 3 }).map((items) => `[${items.join(',')}]`));
  const fields = fc.array(fc.tuple(fc.constantFrom('encoding_format', 'dimensions', 'user', 'input', 'model'), hostileFragment), { maxLength: 3 });
  const skeleton = fc.tuple(model, input, fields).map(([name, value, extra]) => objectText([['model', JSON.stringify(name)], ['input', value], ...extra]));
  return fc.oneof({ weight: 8, arbitrary: skeleton }, { weight: 1, arbitrary: hostileFragment }, { weight: 1, arbitrary: notJson });
}

/** Bodies that are not one JSON value: truncated, trailing garbage, BOM, raw control characters in a string. */
export const notJson: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', '{', '{"model":', '{"model":"a"', '{"a":1}}', '{"a":1} x', '\ufeff{}', '{"a":"\u0001"}', '{"a":"\n"}', "{'a':1}", '{"a":NaN}', '{"a":Infinity}', '{"a":01}', '{"a":1,}', 'undefined', '"\\ud800"', '{"\\u0000":1}'),
  fc.string({ unit: 'binary', maxLength: 60 }),
);

/** Model names: the configured ones, and what a client may type instead. */
export function modelName(configured: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...configured) }, { weight: 1, arbitrary: hostileString }, { weight: 1, arbitrary: fc.constantFrom('auto', 'ladder', 'either', 'gpt-4o', 'fk-vk_pasted-key', '') });
}
