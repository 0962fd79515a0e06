import { pino, type Logger } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { createLogger } from '../cli/create-logger.js';
import { lazyRequestLogger } from './lazy-request-logger.js';

const lazy = (...args: Parameters<typeof lazyRequestLogger>) => lazyRequestLogger(...args) as unknown as Logger;

function memoryLogger(level: string) {
  const written: string[] = [];
  const out = { write: (line: string) => written.push(line) };
  const logger = createLogger({ level, pretty: false }, out as never);
  return { logger, lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>), text: () => written.join('') };
}

describe('lazyRequestLogger', () => {
  it('writes what an eager pino child would: the bindings, the redaction, the level', () => {
    const { logger, lines, text } = memoryLogger('info');
    const log = lazy(logger, { reqId: 'frg-1' }, {});
    log.info({ req: { headers: { authorization: 'Bearer sk-never-logged-0123456789' } } }, 'hello');
    log.debug('not at info');
    expect(lines()).toEqual([expect.objectContaining({ reqId: 'frg-1', msg: 'hello', level: 30, service: 'frugal' })]);
    expect(lines()[0].req).toEqual({ headers: { authorization: '[Redacted]' } });
    expect(text()).not.toContain('sk-never-logged');
    log.child({ route: 'chat' }).warn('nested');
    expect(lines()[1]).toMatchObject({ reqId: 'frg-1', route: 'chat', msg: 'nested' });
    expect(log.bindings()).toMatchObject({ reqId: 'frg-1' });
  });

  it('makes no pino child while nothing is written at an enabled level', () => {
    const logger = pino({ level: 'warn' }, { write: () => {} });
    const child = vi.spyOn(logger, 'child');
    const log = lazy(logger, { reqId: 'frg-2' }, {});
    log.info({ a: 1 }, 'below the level');
    expect(log.isLevelEnabled('info')).toBe(false);
    expect(log.level).toBe('warn');
    expect(child).not.toHaveBeenCalled();
    log.error('above it');
    expect(child).toHaveBeenCalledTimes(1);
    log.error('again');
    expect(child).toHaveBeenCalledTimes(1);
  });

  it('honours a level given for the child (a route\'s logLevel)', () => {
    const { logger, lines } = memoryLogger('info');
    const log = lazy(logger, { reqId: 'frg-3' }, { level: 'error' });
    expect(log.level).toBe('error');
    expect(log.isLevelEnabled('warn')).toBe(false);
    log.warn('dropped');
    log.error('kept');
    expect(lines().map((line) => line.msg)).toEqual(['kept']);
  });
});
