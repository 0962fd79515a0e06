import { pino, type Logger } from 'pino';

export interface CapturedLog {
  /** An `info` pino logger whose output is kept in memory. */
  logger: Logger;
  /** Everything written so far, as written (for "this secret never appears" checks). */
  text(): string;
  /** The lines written so far, parsed. */
  lines(): Array<Record<string, unknown>>;
  /** Resolves with the `request` lines of `reqId` once at least one is written (the line follows the reply's end). */
  requestLines(reqId: string, timeoutMs?: number): Promise<Array<Record<string, unknown>>>;
}

/** A real pino logger writing into memory, so tests see exactly what production logs would hold. */
export function captureLog(): CapturedLog {
  const written: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => written.push(line) });
  const lines = () => written.map((line) => JSON.parse(line) as Record<string, unknown>);
  const matching = (reqId: string) => lines().filter((line) => line.msg === 'request' && line.reqId === reqId);
  return {
    logger,
    text: () => written.join(''),
    lines,
    async requestLines(reqId, timeoutMs = 3000) {
      const deadline = Date.now() + timeoutMs;
      while (matching(reqId).length === 0) {
        if (Date.now() > deadline) throw new Error(`no request log line for ${reqId}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      // A second line would come from the same close event; give it a turn to show up before counting.
      await new Promise((resolve) => setTimeout(resolve, 20));
      return matching(reqId);
    },
  };
}
