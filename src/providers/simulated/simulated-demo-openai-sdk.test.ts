import { Ajv } from 'ajv';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

// Demo mode: no config and no provider keys, so every model is served by the simulated provider.
let frugal: TestGateway;
let client: OpenAI;
const ajv = new Ajv({ strict: false });

beforeAll(async () => {
  frugal = await startTestGateway({}, {});
  // no-store: every request reaches the simulated provider (a cache hit would replay an earlier answer).
  client = new OpenAI({ apiKey: 'demo', baseURL: frugal.baseUrl, maxRetries: 0, defaultHeaders: { 'x-frugal-cache': 'no-store' } });
});

afterAll(async () => {
  await frugal?.close();
});

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer', minimum: 1, maximum: 7 } },
      required: ['city', 'unit', 'days'],
      additionalProperties: false,
    },
  },
};
const searchTool = { type: 'function' as const, function: { name: 'search_docs', description: 'Search the product documentation', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } } };

describe('demo mode through the openai SDK', () => {
  it('parses structured output with zodResponseFormat, and marks the reply only in the header', async () => {
    const Recipe = z.object({ title: z.string(), servings: z.number().int().min(1).max(12), vegetarian: z.boolean(), steps: z.array(z.object({ order: z.number().int(), text: z.string() })), note: z.string().nullable() });
    const { data, response } = await client.chat.completions
      .parse({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'A pancake recipe, please.' }], response_format: zodResponseFormat(Recipe, 'recipe') })
      .withResponse();
    const parsed = data.choices[0].message.parsed;
    expect(Recipe.parse(parsed)).toEqual(parsed);
    expect(data.choices[0].message.content).not.toContain('[simulated]');
    expect(response.headers.get('x-frugal-simulated')).toBe('true');
    expect(data.system_fingerprint).toBe('frugal-simulated');
  });

  it('answers json_object requests with a JSON object', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Reply in JSON.' }], response_format: { type: 'json_object' } });
    expect(typeof JSON.parse(completion.choices[0].message.content!)).toBe('object');
  });

  it('calls the best-matching tool under tool_choice auto, with arguments that satisfy its schema', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'What is the weather in Lisbon this week?' }],
      tools: [searchTool, weatherTool],
      tool_choice: 'auto',
    });
    const [choice] = completion.choices;
    expect(choice.finish_reason).toBe('tool_calls');
    const call = choice.message.tool_calls![0];
    expect(call.type === 'function' && call.function.name).toBe('get_weather');
    const args = JSON.parse(call.type === 'function' ? call.function.arguments : 'null');
    expect(ajv.validate(weatherTool.function.parameters, args), JSON.stringify(ajv.errors)).toBe(true);
    expect(args.city).toBe('Lisbon');
  });

  it('streams the same tool call as argument deltas, in OpenAI chunk format', async () => {
    const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Weather in Oslo tomorrow?' }], tools: [searchTool, weatherTool], tool_choice: 'auto' as const };
    const whole = await client.chat.completions.create(request);
    const stream = client.chat.completions.stream({ ...request, stream: true });
    let deltas = 0;
    stream.on('tool_calls.function.arguments.delta', () => (deltas += 1));
    const streamed = await stream.finalChatCompletion();
    expect(deltas).toBeGreaterThan(1);
    const call = streamed.choices[0].message.tool_calls![0];
    expect(streamed.choices[0].finish_reason).toBe('tool_calls');
    expect(call.type === 'function' && call.function).toEqual(whole.choices[0].message.tool_calls![0].type === 'function' && whole.choices[0].message.tool_calls![0].function);
    expect(ajv.validate(weatherTool.function.parameters, JSON.parse(call.type === 'function' ? call.function.arguments : 'null'))).toBe(true);
  });

  it('answers in text, marked [simulated], once the tool result is in', async () => {
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Rome?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome","unit":"celsius","days":1}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":21}' },
      ],
    });
    expect(completion.choices[0].finish_reason).toBe('stop');
    expect(completion.choices[0].message.content).toMatch(/^\[simulated\]/);
  });

  it('returns n distinct choices, streamed and not', async () => {
    const request = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Name a colour.' }], n: 2 };
    const completion = await client.chat.completions.create(request);
    expect(completion.choices.map((choice) => choice.index)).toEqual([0, 1]);
    expect(completion.choices[0].message.content).not.toBe(completion.choices[1].message.content);
    const streamed = await client.chat.completions.stream({ ...request, stream: true }).finalChatCompletion();
    expect(streamed.choices.map((choice) => choice.message.content)).toEqual(completion.choices.map((choice) => choice.message.content));
  });

  it('returns logprobs when asked', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], logprobs: true, top_logprobs: 2 });
    const content = completion.choices[0].logprobs!.content!;
    expect(content.map((entry) => entry.token).join('')).toBe(completion.choices[0].message.content);
    expect(content.every((entry) => entry.top_logprobs.length === 2)).toBe(true);
  });

  it('decodes default (base64) embeddings to non-zero vectors of the requested size, similar texts closer', async () => {
    const texts = ['How do I reset my password?', 'how can I reset my password', 'Best pizza dough hydration'];
    const { data } = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts, dimensions: 256 });
    const vectors = data.map((item) => item.embedding);
    for (const vector of vectors) {
      expect(vector).toHaveLength(256);
      expect(Math.hypot(...vector)).toBeCloseTo(1, 4);
    }
    const cosine = (left: number[], right: number[]) => left.reduce((sum, value, index) => sum + value * right[index], 0);
    expect(cosine(vectors[0], vectors[1])).toBeGreaterThan(cosine(vectors[0], vectors[2]) + 0.3);
    const floats = await client.embeddings.create({ model: 'text-embedding-3-small', input: texts[0], dimensions: 256, encoding_format: 'float' });
    expect(floats.data[0].embedding.map((value) => Math.fround(value))).toEqual(vectors[0]);
  });
});
