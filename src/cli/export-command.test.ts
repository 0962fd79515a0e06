import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateFineTuningJsonl } from '../lab/distill/validate-fine-tuning.js';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { testSchemas } from '../testing/postgres-test-schemas.js';
import { postgresReachable, serviceGate, TEST_DATABASE_URL } from '../testing/services.js';
import { startQualityGateway, type QualityGateway } from '../testing/start-quality-gateway.js';
import { describeExportCommand } from './export-command.case.js';
import { runExport } from './export-command.js';

describeExportCommand('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'frugal-export-sqlite-'));
  return { where: async (name) => ({ dataDir: join(dir, name) }), cleanUp: () => rm(dir, { recursive: true, force: true }) };
});

const reachable = serviceGate('PostgreSQL', TEST_DATABASE_URL, await postgresReachable(), 'frugal export on PostgreSQL');
const schemas = testSchemas('export');
describe.skipIf(!reachable)('on PostgreSQL', () => {
  describeExportCommand('postgres', async () => ({
    where: async (name) => ({ databaseUrl: TEST_DATABASE_URL, schema: schemas.schemaOf(name) }),
    cleanUp: () => schemas.dropAll(),
  }));
});

describe('frugal export after real traffic', () => {
  let main: MockOpenAIServer;
  let judge: MockOpenAIServer;
  let gateway: QualityGateway;
  let dir: string;
  beforeAll(async () => {
    [main, judge] = await Promise.all([startMockOpenAIServer({ name: 'main' }), startMockOpenAIServer({ name: 'judge' })]);
    gateway = await startQualityGateway({
      providers: {
        main: { kind: 'openai', base_url: main.baseUrl, api_key: 'sk-upstream-main-0123456789' },
        judge: { kind: 'openai', base_url: judge.baseUrl, api_key: 'sk-upstream-judge-0123456789' },
      },
      models: [
        { name: 'm-teacher', provider: 'main', price: { input: 1, output: 2 } },
        { name: 'm-judge', provider: 'judge', price: { input: 5, output: 15 } },
      ],
      quality: { budget_usd: 1, routes: { 'm-teacher': { sample: 1, redact: ['ACCT-\\d+'], judge: { model: 'm-judge', rubric: 'Is the answer correct?' } } } },
    });
    dir = await mkdtemp(join(tmpdir(), 'frugal-export-sdk-'));
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([main?.close(), judge?.close()]);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('exports the judged answers above the bar, redacted, in lines the fine-tuning format accepts', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: gateway.baseUrl, maxRetries: 0 });
    const asked = [
      { system: 'You are a support agent.', user: 'Is ACCT-4242 active? my key is sk-proj-abcdef0123456789', answer: 'ACCT-4242 is active.', grade: 0.9 },
      { system: undefined, user: 'What is 2+2?', answer: 'Five.', grade: 0.2 },
      { system: undefined, user: 'Name a prime.', answer: 'Seven.', grade: 1 },
    ];
    const ids: string[] = [];
    for (const question of asked) {
      const content = `${question.user} [[mock(main):content=${question.answer}]] [[mock(judge):content={"score": ${question.grade}}]]`;
      const messages = [...(question.system === undefined ? [] : [{ role: 'system' as const, content: question.system }]), { role: 'user' as const, content }];
      const { response } = await client.chat.completions.create({ model: 'm-teacher', messages }).withResponse();
      ids.push(response.headers.get('x-frugal-request-id')!);
    }
    for (const id of ids) {
      await gateway.eventually(async () => {
        const [row] = await gateway.feedback.findRequests(id);
        return row && (await gateway.feedback.history(row)).length > 0 ? true : undefined;
      }, `the judge score of ${id}`);
    }
    await gateway.writer.flush();
    const out = join(dir, 'distill.jsonl');
    const { counts } = await runExport({ dataDir: gateway.dataDir, route: 'm-teacher', format: 'chat-jsonl', minScore: '0.8', out });
    expect(counts).toMatchObject({ samples: 3, belowBar: 1, exported: 2 });
    const text = await readFile(out, 'utf8');
    expect(validateFineTuningJsonl(text)).toEqual({ examples: 2, errors: {}, failingLines: [] });
    const examples = text.trim().split('\n').map((line) => JSON.parse(line) as { messages: Array<{ role: string; content: string }> });
    expect(examples.map((example) => example.messages.map((message) => message.role))).toEqual([
      ['system', 'user', 'assistant'],
      ['user', 'assistant'],
    ]);
    expect(examples.map((example) => example.messages.at(-1)!.content)).toEqual(['[redacted] is active.', 'Seven.']);
    expect(examples[0].messages[1].content).toContain('Is [redacted] active? my key is [redacted]');
    // Nothing that names a tenant or a request reaches the training data.
    for (const secret of ['ACCT-4242', 'sk-proj-abcdef0123456789', 'key_', ...ids]) expect(text).not.toContain(secret);
  });
});
