import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../../testing/mock-openai-server.js';
import { startTestGateway, type TestGateway } from '../../testing/start-test-gateway.js';
import { parseClassifierReply } from './model-classifier.js';

describe('parseClassifierReply', () => {
  const tasks = ['code', 'translate', 'simple'];
  it('takes a JSON label among the tasks, any case, and a complexity in [0, 1]', () => {
    expect(parseClassifierReply('{"task": "Code", "complexity": 0.8}', tasks)).toEqual({ task: 'code', complexity: 0.8 });
    expect(parseClassifierReply('Sure: {"task":"simple","complexity":3}', tasks)).toEqual({ task: 'simple', complexity: undefined });
    expect(parseClassifierReply('translate', tasks)).toEqual({ task: 'translate', complexity: undefined });
    expect(parseClassifierReply('{"task":"poetry"}', tasks)).toBeUndefined();
    expect(parseClassifierReply('no idea', tasks)).toBeUndefined();
  });
});

let cheap: MockOpenAIServer;
let labeler: MockOpenAIServer;
let frugal: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  [cheap, labeler] = await Promise.all([startMockOpenAIServer({ name: 'cheapp' }), startMockOpenAIServer({ name: 'labelp', record: true })]);
  frugal = await startTestGateway({
    providers: { cheapp: { kind: 'openai', base_url: cheap.baseUrl }, labelp: { kind: 'openai', base_url: labeler.baseUrl } },
    // The served models cost nothing, so whatever a row costs is the classifier's call.
    models: [
      { name: 'cheap', provider: 'cheapp', price: { input: 0, output: 0 } },
      { name: 'strong', provider: 'cheapp', price: { input: 0, output: 0 } },
      { name: 'labeler', provider: 'labelp', price: { input: 1, output: 1 } },
    ],
    routes: {
      smart: { strategy: 'classify', tasks: { code: 'strong', simple: 'cheap' }, default: 'cheap', classifier: { model: 'labeler', timeout_ms: 300 } },
    },
  });
  client = new OpenAI({ apiKey: 'x', baseURL: frugal.baseUrl, maxRetries: 0 });
});

afterAll(async () => {
  await frugal?.close();
  await Promise.all([cheap?.close(), labeler?.close()]);
});

async function ask(content: string) {
  const { data, response } = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content }] }).withResponse();
  await frugal.waitForRows(frugal.rows.length);
  const row = frugal.rows.find((candidate) => candidate.id === response.headers.get('x-frugal-request-id'))!;
  return { data, response, row };
}

describe('classifier: { model } on a classify route', () => {
  it('routes on the model\'s label, its call priced in the row, and serves a repeated prompt from the label cache for free', async () => {
    const prompt = 'Write a binary search in Rust [[mock(labelp):content={"task":"code"}]]';
    const calls = labeler.requests.length;
    const first = await ask(prompt);
    expect(first.response.headers.get('x-frugal-model')).toBe('strong');
    expect(first.row.routeTrace).toBe('smart>classify:code(by:labeler)>strong');
    expect(first.row.task).toBe('code');
    expect(first.row.costNanos).toBeGreaterThan(0);
    expect(labeler.requests.length).toBe(calls + 1);
    // The labeler saw the classifier's instructions with the prompt inside, not the caller's request as is.
    const sent = labeler.requests.at(-1)!.body as { messages: Array<{ content: string }>; max_tokens: number; stream?: boolean };
    expect(sent.messages[0].content).toContain('Tasks: code, simple');
    expect(sent.messages[1].content).toContain('Write a binary search in Rust');
    expect(sent.max_tokens).toBe(40);

    const again = await ask(prompt);
    expect(again.row.routeTrace).toBe('smart>classify:code(by:cache)>strong');
    expect(again.row.costNanos).toBe(0);
    expect(labeler.requests.length).toBe(calls + 1);
  });

  it('falls back to the rules when the label is unreadable, the labeler fails, or it is slower than timeout_ms', async () => {
    for (const directive of ['content=I think this is poetry', 'status=500', 'delay_ms=2000']) {
      const { row, data } = await ask(`Hi there, how are you? [[mock(labelp):${directive}]]`);
      expect(data.choices[0].message.content).toBeTruthy();
      expect(row.status).toBe('ok');
      expect(row.routeTrace).toMatch(/^smart>classify:\w+\(by:rules\)>/);
    }
  });
});
