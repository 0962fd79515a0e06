import { createOpenAI } from '@ai-sdk/openai';
import { tool as langchainTool } from '@langchain/core/tools';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

// Demo mode: no config and no provider keys, so every model is served by the simulated provider.
let frugal: TestGateway;
// no-store: every request reaches the simulated provider (a cache hit would replay an earlier answer).
const headers = { 'x-frugal-cache': 'no-store' };

beforeAll(async () => {
  frugal = await startTestGateway({}, {});
});

afterAll(async () => {
  await frugal?.close();
});

const Invoice = z.object({
  customer: z.string(),
  total: z.number().min(0),
  currency: z.enum(['EUR', 'USD']),
  lines: z.array(z.object({ item: z.string(), quantity: z.number().int().min(1) })),
});
const weatherInput = z.object({ city: z.string(), unit: z.enum(['celsius', 'fahrenheit']) });

describe('demo mode through the AI SDK (chat completions provider)', () => {
  const model = () => createOpenAI({ baseURL: frugal.baseUrl, apiKey: 'demo', headers }).chat('gpt-4o-mini');

  it('generateObject returns an object that satisfies the zod schema', async () => {
    const { object } = await generateObject({ model: model(), schema: Invoice, prompt: 'An invoice for Contoso: two chairs.', maxRetries: 0 });
    expect(Invoice.parse(object)).toEqual(object);
  });

  it('generateText calls the tool, runs it, then answers in text', async () => {
    const seen: unknown[] = [];
    const result = await generateText({
      model: model(),
      prompt: 'What is the weather in Madrid?',
      tools: {
        weather: tool({
          description: 'Current weather in a city',
          inputSchema: weatherInput,
          execute: async (input) => {
            seen.push(input);
            return { temperature: 24 };
          },
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(seen).toHaveLength(1);
    expect(weatherInput.parse(seen[0])).toMatchObject({ city: 'Madrid' });
    expect(result.steps[0].finishReason).toBe('tool-calls');
    expect(result.steps).toHaveLength(2);
    expect(result.text).toMatch(/^\[simulated\]/);
  });

  it('streamText streams the tool call input as deltas', async () => {
    const result = streamText({ model: model(), prompt: 'Weather in Berlin?', tools: { weather: tool({ description: 'Current weather in a city', inputSchema: weatherInput }) }, maxRetries: 0 });
    let deltas = 0;
    for await (const part of result.fullStream) if (part.type === 'tool-input-delta') deltas += 1;
    const [call] = await result.toolCalls;
    expect(deltas).toBeGreaterThan(1);
    expect(weatherInput.parse(call.input)).toMatchObject({ city: 'Berlin' });
  });
});

describe('demo mode through LangChain ChatOpenAI', () => {
  const chat = () => new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'demo', maxRetries: 0, configuration: { baseURL: frugal.baseUrl, defaultHeaders: headers } });

  it('withStructuredOutput returns an object that satisfies the zod schema', async () => {
    const invoice = await chat().withStructuredOutput(Invoice).invoke('An invoice for Fabrikam: three lamps.');
    expect(Invoice.parse(invoice)).toEqual(invoice);
  });

  it('bindTools gets a tool call whose args satisfy the tool schema', async () => {
    const weather = langchainTool(async () => 'sunny', { name: 'get_weather', description: 'Current weather in a city', schema: weatherInput });
    const lookup = langchainTool(async () => 'found', { name: 'lookup_order', description: 'Find an order by its number', schema: z.object({ orderNumber: z.string() }) });
    const message = await chat().bindTools([lookup, weather]).invoke('What is the weather like in Vienna?');
    expect(message.tool_calls).toHaveLength(1);
    expect(message.tool_calls![0].name).toBe('get_weather');
    expect(weatherInput.parse(message.tool_calls![0].args)).toMatchObject({ city: 'Vienna' });
  });
});
