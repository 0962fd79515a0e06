import { createOpenAI } from '@ai-sdk/openai';
import { ChatOpenAI } from '@langchain/openai';
import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

let upstream: MockOpenAIServer;
let frugal: TestGateway;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
    cache: { enabled: false },
  });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

const upstreamBodies = () => upstream.requests.map((request) => request.body as Record<string, unknown>);
const paths = () => upstream.requests.map((request) => request.path);

describe('the Vercel AI SDK’s default OpenAI provider (Responses API)', () => {
  const model = () => createOpenAI({ baseURL: frugal.baseUrl, apiKey: 'unused-without-keys' })('gpt-4o-mini');

  it('generateText gets the answer and usage', async () => {
    const result = await generateText({ model: model(), prompt: 'Say hello', maxRetries: 0 });
    expect(result.text).toBe('Hello from the mock.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.inputTokens).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    expect(result.response.id).toMatch(/^resp_/);
    // The gateway ran it as a chat completion upstream.
    expect(paths()[paths().length - 1]).toBe('/v1/chat/completions');
  });

  it('streamText streams the deltas and finishes with usage', async () => {
    const result = streamText({ model: model(), prompt: 'Say hello', maxRetries: 0 });
    const parts: string[] = [];
    for await (const part of result.textStream) parts.push(part);
    expect(parts.join('')).toBe('Hello from the mock.');
    expect(parts.length).toBeGreaterThan(1);
    expect(await result.finishReason).toBe('stop');
    expect((await result.usage).outputTokens).toBeGreaterThan(0);
  });

  it('generateObject sends the zod schema as text.format and parses the answer', async () => {
    const result = await generateObject({
      model: model(),
      schema: z.object({ city: z.string() }),
      prompt: 'Which city? [[mock:content={"city":"Lyon"}]]',
      maxRetries: 0,
    });
    expect(result.object).toEqual({ city: 'Lyon' });
    const format = (upstreamBodies().pop()!.response_format as { type: string; json_schema: { schema: Record<string, unknown> } });
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.schema).toMatchObject({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] });
  });

  it('runs a tool and sends its result back in the next step', async () => {
    const seen: unknown[] = [];
    const result = await generateText({
      model: model(),
      prompt: 'Weather in Paris?',
      tools: {
        get_weather: tool({
          description: 'Weather for a city',
          inputSchema: z.object({ location: z.string(), unit: z.string() }),
          execute: async (input) => {
            seen.push(input);
            return 'sunny';
          },
        }),
      },
      stopWhen: stepCountIs(3),
      maxRetries: 0,
    });
    expect(seen).toEqual([{ location: 'Paris', unit: 'celsius' }]);
    expect(result.steps).toHaveLength(2);
    expect(result.text).toBe('The tool said: sunny');
    const messages = upstreamBodies().pop()!.messages as Array<{ role: string; tool_calls?: unknown[] }>;
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool']);
    expect(messages[1].tool_calls).toHaveLength(1);
  });
});

describe('LangChain ChatOpenAI with useResponsesApi', () => {
  const chat = () => new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'unused-without-keys', useResponsesApi: true, maxRetries: 0, configuration: { baseURL: frugal.baseUrl } });

  it('invokes and streams', async () => {
    const message = await chat().invoke('Say hello');
    expect(message.text).toBe('Hello from the mock.');
    expect(message.usage_metadata?.output_tokens).toBeGreaterThan(0);
    let streamed = '';
    for await (const chunk of await chat().stream('Say hello')) streamed += chunk.text;
    expect(streamed).toBe('Hello from the mock.');
  });

  it('calls a bound tool', async () => {
    const withTool = chat().bindTools([{ type: 'function', function: { name: 'get_weather', description: 'Weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } } }]);
    const message = await withTool.invoke('Weather in Paris?');
    expect(message.tool_calls).toEqual([expect.objectContaining({ name: 'get_weather', args: { location: 'Paris', unit: 'celsius' } })]);
  });
});
