import { request } from 'undici';
import { chatBody } from './chat-body.js';
import type { Endpoint } from './start-processes.js';

const MOCK_ANSWER = 'Hello from the mock.';

/**
 * One plain and one streamed request before anything is timed: a gateway that answers errors fast would
 * otherwise win the benchmark.
 */
export async function verifyEndpoint(endpoint: Endpoint): Promise<void> {
  const ids: string[] = [];
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const plain = await request(endpoint.url, { method: 'POST', headers: endpoint.headers, body: chatBody({ stream: false }) });
    const json = (await plain.body.json()) as { id?: string; choices?: Array<{ message?: { content?: string } }> };
    if (plain.statusCode !== 200 || json.choices?.[0]?.message?.content !== MOCK_ANSWER) {
      throw new Error(`${endpoint.name} did not proxy a plain request: ${plain.statusCode} ${JSON.stringify(json).slice(0, 300)}`);
    }
    ids.push(String(json.id));
  }
  // The mock numbers its answers: the same id twice means a cache answered, and the benchmark would time that.
  if (ids[0] === ids[1]) throw new Error(`${endpoint.name} answered a repeated request from a cache (${ids[0]}); the benchmark measures proxying`);
  const streamed = await request(endpoint.url, { method: 'POST', headers: endpoint.headers, body: chatBody({ stream: true }) });
  const text = await streamed.body.text();
  const content = text
    .split('\n')
    .filter((line) => line.startsWith('data: {'))
    .map((line) => (JSON.parse(line.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta?.content ?? '')
    .join('');
  if (streamed.statusCode !== 200 || content !== MOCK_ANSWER || !text.includes('data: [DONE]')) {
    throw new Error(`${endpoint.name} did not proxy a stream: ${streamed.statusCode} ${text.slice(0, 300)}`);
  }
}
