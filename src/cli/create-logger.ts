import type { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';

export interface LoggerSettings {
  level: string;
  /** logging.pretty; undefined: readable lines when the output is a terminal, JSON for machines otherwise. */
  pretty: boolean | undefined;
}

/**
 * The server's logger: pino JSON by default (what log shippers read), readable lines on a terminal or with
 * `logging.pretty: true`. Keys are redacted in both, as defence in depth: nothing logs them.
 *
 * @example
 * const logger = createLogger({ level: 'info', pretty: undefined });
 */
export function createLogger(settings: LoggerSettings, out: Writable & { isTTY?: boolean; fd?: number } = process.stdout): Logger {
  const options = {
    level: settings.level,
    base: { service: 'frugal' },
    // *.headers: any request's headers a library logs, not only req's (@fastify/multipart logs busboyOptions.headers at trace).
    redact: ['req.headers.authorization', 'req.headers["x-api-key"]', '*.headers.authorization', '*.headers["x-api-key"]', '*.headers["api-key"]', '*.headers.cookie', '*.apiKey', '*.api_key'],
  };
  if (!(settings.pretty ?? out.isTTY === true)) return out === process.stdout ? pino(options) : pino(options, out);
  // Loaded only for readable lines (~5 MB a process that logs JSON never needs).
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pino(options, pretty({ destination: out, colorize: out.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', sync: true }));
}
