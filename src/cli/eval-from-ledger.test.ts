import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMockOpenAIServer, type MockOpenAIServer } from '../testing/mock-openai-server.js';
import { startQualityGateway, type QualityGateway } from '../testing/start-quality-gateway.js';
import { runEvalCommand } from './eval-command.js';

let upstream: MockOpenAIServer;
let judge: MockOpenAIServer;
let gateway: QualityGateway;

beforeAll(async () => {
  [upstream, judge] = await Promise.all([startMockOpenAIServer({ name: 'up' }), startMockOpenAIServer({ name: 'judgep' })]);
  gateway = await startQualityGateway({
    providers: { up: { kind: 'openai', base_url: upstream.baseUrl }, judgep: { kind: 'openai', base_url: judge.baseUrl } },
    models: [
      { name: 'strong', provider: 'up', price: { input: 1, output: 2 } },
      { name: 'cheap', provider: 'up', price: { input: 0.1, output: 0.2 } },
      { name: 'judge', provider: 'judgep', price: { input: 0.5, output: 1 } },
    ],
    // Every request to `strong` is stored with its body: the traffic a migration away from it must keep serving.
    quality: { routes: { strong: { sample: 1 } } },
  });
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([upstream?.close(), judge?.close()]);
});

describe('frugal eval --from-ledger', () => {
  it('replays the distinct prompts stored on a route, judged pairwise against the baseline', async () => {
    const client = new OpenAI({ apiKey: 'unused', baseURL: gateway.baseUrl, maxRetries: 0 });
    // The judge always answers "A": the candidate on even rows, the baseline on odd ones.
    const prompts = ['first question', 'second question', 'third question', 'first question'].map((text) => `${text} [[mock(judgep):content={"winner":"A"}]]`);
    const ids: string[] = [];
    for (const content of prompts) {
      const { response } = await client.chat.completions.create({ model: 'strong', messages: [{ role: 'user', content }] }).withResponse();
      ids.push(response.headers.get('x-frugal-request-id')!);
    }
    for (const id of ids) await gateway.eventually(() => gateway.samples.get(id), `sample ${id}`);

    const { result } = await runEvalCommand({ fromLedger: true, route: 'strong', dataDir: gateway.dataDir, candidates: 'strong,cheap', grader: 'judge:judge', url: gateway.baseUrl });
    // Four stored samples, three distinct conversations.
    expect(result.prompts).toBe(3);
    expect(result.candidates[1]).toMatchObject({ candidate: 'cheap', requests: 3, wins: 2, losses: 1, ties: 0 });
    expect(result.judgeCalls).toBe(3);
  });

  it('needs a route, a judge, and samples to replay', async () => {
    await expect(runEvalCommand({ fromLedger: true, dataDir: gateway.dataDir, candidates: 'strong', grader: 'judge:judge', url: gateway.baseUrl })).rejects.toThrow(/--from-ledger needs --route/);
    await expect(runEvalCommand({ fromLedger: true, route: 'strong', dataDir: gateway.dataDir, candidates: 'strong', url: gateway.baseUrl })).rejects.toThrow(/use --grader judge:MODEL/);
    await expect(runEvalCommand({ fromLedger: true, route: 'nowhere', dataDir: gateway.dataDir, candidates: 'strong', grader: 'judge:judge', url: gateway.baseUrl })).rejects.toThrow(/no stored samples with bodies on route 'nowhere'/);
    await expect(runEvalCommand({ candidates: 'strong', url: gateway.baseUrl })).rejects.toThrow(/give --data FILE.jsonl or --from-ledger --route R/);
  });
});
