import { join } from 'node:path';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/gateway-config.js';
import { quarantineFile } from '../ledger/ledger-quarantine.js';
import { openLedgerSpool } from '../ledger/ledger-spool.js';
import type { LedgerStore } from '../ledger/ledger-store.js';
import { createLedgerWriter, type LedgerWriter } from '../ledger/ledger-writer.js';
import { openLedgerStore } from '../ledger/open-ledger-store.js';
import { replaySpool } from '../ledger/replay-spool.js';

export interface ServeLedger {
  store: LedgerStore;
  writer: LedgerWriter;
  /** True with `ledger.durability: spool`: replies wait for `writer.durable()`. */
  spooled: boolean;
}

/**
 * The ledger `frugal serve` writes to: the store (migrated), the writer with its quarantine file and, with
 * `ledger.durability: spool`, the spool, whose leftover rows (acknowledged by a killed process, never written) are
 * replayed before the first new request. Undefined with the ledger off. With `server.workers` above 1 only the
 * primary opens it: one writer path for every worker's rows.
 */
export async function openServeLedger(config: GatewayConfig, logger: Pick<Logger, 'info' | 'error'>): Promise<ServeLedger | undefined> {
  if (!config.ledger.enabled) return undefined;
  const store = openLedgerStore({ databaseUrl: config.ledger.databaseUrl, dataDir: config.ledger.dataDir });
  await store.migrate();
  const { dataDir } = config.ledger;
  const opened = config.ledger.durability === 'spool' ? await openLedgerSpool({ dir: join(dataDir, 'spool'), onError: (error) => logger.error({ err: error }, 'ledger spool') }) : undefined;
  const writer = createLedgerWriter(store, {
    flushIntervalMs: config.ledger.flushIntervalMs,
    maxBatch: config.ledger.batchSize,
    onError: (error: unknown) => logger.error({ err: error }, 'ledger'),
    quarantine: quarantineFile(join(dataDir, 'ledger-quarantine.jsonl')),
    spool: opened?.spool,
  });
  if (opened) {
    // Rows a killed process acknowledged but never wrote: back before the first new request.
    const replay = await replaySpool(opened.leftover, store, writer, opened.spool);
    if (opened.leftover.files.length > 0) logger.info(replay, 'ledger spool replayed');
    // Stored now, not at the first flush: batch lines that kept these rows look for them in the store (batch-ledger-rows.ts).
    if (replay.replayed > 0) await writer.flush().catch((error: unknown) => logger.error({ err: error }, 'replayed ledger rows wait for the next flush'));
  }
  return { store, writer, spooled: opened !== undefined };
}
