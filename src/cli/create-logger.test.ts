import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

function capture(isTTY: boolean) {
  const out = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  return { out, text: () => text };
}

describe('the server logger', () => {
  it('writes JSON lines when the output is not a terminal', () => {
    const sink = capture(false);
    createLogger({ level: 'info', pretty: undefined }, sink.out).info({ route: 'cheap' }, 'request');
    const line = JSON.parse(sink.text().trim()) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, msg: 'request', route: 'cheap', service: 'frugal' });
  });

  it('writes readable lines on a terminal, or when logging.pretty asks', () => {
    for (const sink of [capture(true), capture(false)]) {
      createLogger({ level: 'info', pretty: sink.out.isTTY ? undefined : true }, sink.out).info({ route: 'cheap' }, 'request served');
      const text = sink.text();
      expect(text).toContain('request served');
      expect(text).toMatch(/INFO/);
      expect(() => JSON.parse(text.trim())).toThrow();
    }
  });

  it('censors a key that reaches a log object', () => {
    const sink = capture(false);
    createLogger({ level: 'info', pretty: false }, sink.out).info({ provider: { apiKey: 'sk-secret-0123456789' } }, 'oops');
    expect(sink.text()).not.toContain('sk-secret');
  });
});
