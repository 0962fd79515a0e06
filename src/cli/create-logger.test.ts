import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './create-logger.js';

function sink(isTTY: boolean) {
  const written: string[] = [];
  const out = Object.assign(new Writable({ write: (chunk, _encoding, done) => (written.push(String(chunk)), done()) }), { isTTY });
  return { out, text: () => written.join('') };
}

describe('createLogger', () => {
  it('writes readable lines with logging.pretty (pino-pretty, loaded only then), keys still redacted', () => {
    const { out, text } = sink(false);
    const logger = createLogger({ level: 'info', pretty: true }, out);
    logger.info({ req: { headers: { authorization: 'Bearer sk-pretty-secret-0123456789' } } }, 'hello pretty');
    expect(text()).toContain('INFO');
    expect(text()).toContain('hello pretty');
    expect(text()).not.toContain('sk-pretty-secret');
    expect(() => JSON.parse(text().trim().split('\n')[0])).toThrow();
  });

  it('writes JSON lines otherwise', async () => {
    const { out, text } = sink(false);
    const logger = createLogger({ level: 'info', pretty: undefined }, out);
    logger.info('hello json');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(JSON.parse(text().trim())).toMatchObject({ msg: 'hello json', service: 'frugal' });
  });
});
