import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, Logger } from 'pino';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * `request.log`, made only when something is logged at an enabled level. Fastify makes a pino child per request,
 * and pino runs the redaction rules over its bindings each time — about 1 % of the gateway's CPU per request
 * (bench:overhead profile) for a logger most requests never write to (the per-request line is `info`; production
 * often runs at `warn`). Same bindings, same redaction, same level as the eager child once it exists.
 */
class LazyRequestLogger {
  #made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly childBindings: Bindings,
    private readonly options: ChildLoggerOptions,
  ) {}

  private made(): FastifyBaseLogger {
    this.#made ??= this.parent.child(this.childBindings, this.options) as FastifyBaseLogger;
    return this.#made;
  }

  private write(level: Level, args: unknown[]): void {
    if (this.#made === undefined && !this.isLevelEnabled(level)) return;
    (this.made()[level] as (...rest: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.#made?.level ?? this.options.level ?? this.parent.level;
  }

  set level(level: string) {
    this.made().level = level;
  }

  isLevelEnabled(level: string): boolean {
    if (this.#made) return (this.#made as unknown as Logger).isLevelEnabled(level);
    return this.options.level === undefined ? this.parent.isLevelEnabled(level) : this.parent.levels.values[level] >= this.parent.levels.values[this.options.level];
  }

  fatal(...args: unknown[]) { this.write('fatal', args); }
  error(...args: unknown[]) { this.write('error', args); }
  warn(...args: unknown[]) { this.write('warn', args); }
  info(...args: unknown[]) { this.write('info', args); }
  debug(...args: unknown[]) { this.write('debug', args); }
  trace(...args: unknown[]) { this.write('trace', args); }
  silent() {}

  child(bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.made().child(bindings, options);
  }

  bindings(): Bindings {
    return (this.made() as unknown as Logger).bindings();
  }
}

/**
 * Fastify's `childLoggerFactory`: a request logger that becomes a pino child on its first enabled write.
 *
 * @example
 * Fastify({ loggerInstance: logger, childLoggerFactory: lazyRequestLogger });
 */
export function lazyRequestLogger(logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(logger as unknown as Logger, bindings, options) as unknown as FastifyBaseLogger;
}
