import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';

// Requests Anthropic refuses are refused on /v1/messages whatever model serves: an OpenAI-compatible model would
// otherwise answer them, and the client learns of its mistake only when the route sends it to Claude.
let upstream: MockOpenAIServer;
let frugal: TestGateway;
let client: Anthropic;

beforeAll(async () => {
  upstream = await startMockOpenAIServer();
  frugal = await startTestGateway({
    providers: { mock: { kind: 'openai', base_url: upstream.baseUrl } },
    models: [{ name: 'gpt-4o-mini', provider: 'mock', price: { input: 0.15, output: 0.6 } }],
    cache: { enabled: false },
  });
  client = new Anthropic({ apiKey: 'unused-without-keys', baseURL: frugal.baseUrl.replace(/\/v1$/, ''), maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await upstream?.close();
});

type Params = Anthropic.MessageCreateParamsNonStreaming;
const TOOL = { name: 'get_weather', input_schema: { type: 'object' as const } };
const base = (extra: Partial<Params>): Params => ({ model: 'gpt-4o-mini', max_tokens: 50, messages: [{ role: 'user', content: 'Hi' }], ...extra });
const toolTurn = (id: string): Anthropic.MessageParam => ({ role: 'assistant', content: [{ type: 'tool_use', id, name: 'get_weather', input: {} }] });

async function refusal(params: Params, options?: Anthropic.RequestOptions) {
  const error = await client.messages.create(params, options).then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  const body = (error as InstanceType<typeof Anthropic.BadRequestError>).error as { type: string; error: { type: string; message: string } };
  expect(body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
  return body.error.message;
}

describe('Anthropic’s cross-field rules on /v1/messages, for a model that would not check them', () => {
  it('refuses a tool_result that answers no tool_use of the turn before, and a tool_use left unanswered', async () => {
    const orphan = await refusal(base({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] }] }));
    expect(orphan).toMatch(/^messages\.0\.content\.0: unexpected `tool_use_id`/);
    const unanswered = await refusal(base({ tools: [TOOL], messages: [{ role: 'user', content: 'Weather?' }, toolTurn('toolu_2'), { role: 'user', content: 'Never mind.' }] }));
    expect(unanswered).toMatch(/^messages\.2: `tool_use` ids were found without `tool_result` blocks/);
  });

  it('takes a paired tool call, and a last assistant turn whose call the client has yet to answer', async () => {
    const answered = [{ role: 'user' as const, content: 'Weather?' }, toolTurn('toolu_3'), { role: 'user' as const, content: [{ type: 'tool_result' as const, tool_use_id: 'toolu_3', content: 'sunny' }] }];
    await expect(client.messages.create(base({ tools: [TOOL], messages: answered }))).resolves.toMatchObject({ type: 'message' });
  });

  it('refuses a tool_choice naming a tool not given, or any tool when none is given', async () => {
    expect(await refusal(base({ tools: [TOOL], tool_choice: { type: 'tool', name: 'get_time' } }))).toMatch(/^tool_choice\.name: /);
    expect(await refusal(base({ tool_choice: { type: 'any' } }))).toMatch(/^tool_choice: /);
  });

  it('refuses a client tool without input_schema, with a name Anthropic does not take, or named twice; a server tool needs no schema', async () => {
    expect(await refusal(base({ tools: [{ name: 'get_weather' } as Anthropic.Tool] }))).toBe('tools.0.custom.input_schema: Field required');
    expect(await refusal(base({ tools: [{ ...TOOL, name: 'get weather!' }] }))).toMatch(/^tools\.0\.custom\.name: /);
    expect(await refusal(base({ tools: [TOOL, TOOL] }))).toBe('tools: Tool names must be unique.');
    await expect(client.messages.create(base({ tools: [{ type: 'web_search_20250305', name: 'web_search' }] }))).resolves.toMatchObject({ type: 'message' });
  });

  it('refuses empty text blocks, in messages and in system', async () => {
    expect(await refusal(base({ messages: [{ role: 'user', content: [{ type: 'text', text: '' }] }] }))).toBe('messages: text content blocks must be non-empty');
    expect(await refusal(base({ system: [{ type: 'text', text: '' }] }))).toBe('system: text content blocks must be non-empty');
  });

  it('refuses an image of a type Anthropic does not read, or a source without its data', async () => {
    const image = (source: unknown) => base({ messages: [{ role: 'user', content: [{ type: 'image', source } as Anthropic.ImageBlockParam, { type: 'text', text: 'What is it?' }] }] });
    expect(await refusal(image({ type: 'base64', media_type: 'image/bmp', data: 'Qk0=' }))).toMatch(/^messages\.0\.content\.0\.image\.source\.base64\.media_type: /);
    expect(await refusal(image({ type: 'url' }))).toMatch(/^messages\.0\.content\.0\.image\.source\.url\.url: /);
    await expect(client.messages.create(image({ type: 'url', url: 'https://example.com/cat.png' }))).resolves.toMatchObject({ type: 'message' });
  });

  it('refuses a thinking budget that is missing, under 1024, or not below max_tokens, unless interleaved thinking is on', async () => {
    expect(await refusal(base({ max_tokens: 4000, thinking: { type: 'enabled' } as Anthropic.ThinkingConfigParam }))).toBe('thinking.enabled.budget_tokens: Field required');
    expect(await refusal(base({ max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 100 } }))).toMatch(/^thinking\.enabled\.budget_tokens: /);
    expect(await refusal(base({ max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 1024 } }))).toMatch(/^`max_tokens` must be greater than `thinking.budget_tokens`/);
    expect(await refusal(({ ...base({ max_tokens: 4000, thinking: { type: 'enabled', budget_tokens: 1024 } }), temperature: 0.2 } as Params))).toMatch(/^`temperature` may only be set to 1/);
    const interleaved = { headers: { 'anthropic-beta': 'interleaved-thinking-2025-05-14' } };
    await expect(client.messages.create(base({ max_tokens: 1024, thinking: { type: 'enabled', budget_tokens: 2048 } }), interleaved)).resolves.toMatchObject({ type: 'message' });
  });

  it('refuses a block type Anthropic does not take, naming the block, instead of serving the turn without it', async () => {
    const bogus = { type: 'bogus' } as unknown as Anthropic.ContentBlockParam;
    const alone = await refusal(base({ messages: [{ role: 'user', content: [bogus] }] }));
    expect(alone).toMatch(/^messages\.0\.content\.0: Input tag 'bogus' found using 'type' does not match any of the expected tags: 'text', 'image', /);
    expect(await refusal(base({ messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, bogus] }] }))).toMatch(/^messages\.0\.content\.1: Input tag 'bogus' /);
    const counted = await client.messages.countTokens({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: [bogus] }] }).catch((reason: unknown) => reason);
    expect(counted).toBeInstanceOf(Anthropic.BadRequestError);
    expect((counted as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringMatching(/^messages\.0\.content\.0: Input tag 'bogus'/) } });
  });

  it('takes every block type Anthropic takes, and a beta block type with an anthropic-beta header', async () => {
    const document = { type: 'document' as const, source: { type: 'text' as const, media_type: 'text/plain' as const, data: 'A note.' } };
    await expect(client.messages.create(base({ messages: [{ role: 'user', content: [document, { type: 'text', text: 'Summarise.' }] }] }))).resolves.toMatchObject({ type: 'message' });
    const mcpTurn = [{ role: 'user' as const, content: 'Hi' }, { role: 'assistant' as const, content: [{ type: 'mcp_tool_use', id: 'mcptoolu_1', name: 'search', server_name: 's', input: {} } as unknown as Anthropic.ContentBlockParam, { type: 'text' as const, text: 'Done.' }] }, { role: 'user' as const, content: 'Thanks' }];
    expect(await refusal(base({ messages: mcpTurn }))).toMatch(/^messages\.1\.content\.0: Input tag 'mcp_tool_use' /);
    await expect(client.messages.create(base({ messages: mcpTurn }), { headers: { 'anthropic-beta': 'mcp-client-2025-04-04' } })).resolves.toMatchObject({ type: 'message' });
  });

  it('refuses metadata fields other than user_id', async () => {
    expect(await refusal(base({ metadata: { user_id: 'u-1', team: 'x' } as Anthropic.Metadata }))).toBe('metadata.team: Extra inputs are not permitted');
  });

  it('holds count_tokens to the same rules', async () => {
    const error = await client.messages.countTokens({ model: 'gpt-4o-mini', tool_choice: { type: 'any' }, messages: [{ role: 'user', content: 'Hi' }] }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
  });
});
