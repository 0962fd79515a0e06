import { formatNanosUsd } from '../../catalog/pricing.js';
import { formatUsdForFinance } from './format-usd-for-finance.js';
import type { TierSavings } from './tier-savings.js';

// Background traffic of a day or a week is often cents: four decimals keep it readable (--json has the exact nanos).
const usd = (nanos: bigint) => formatUsdForFinance(nanos, 4);

const LABEL = { batch: 'batch API', flex: 'flex tier', off_peak: 'off-peak hours' } as const;

function percent(part: bigint, whole: bigint): string {
  if (whole === 0n) return '0.0';
  return (Number((part * 10_000n) / whole) / 100).toFixed(1);
}

/** `frugal simulate --ledger --background-tag`: what moving the tagged traffic to each patient tier would have saved. */
export function formatTierSavingsText(savings: TierSavings): string {
  const lines = [`background traffic tagged ${savings.tag}: ${savings.rows} answered calls, ${usd(savings.recordedNanos)} as recorded`];
  const { skipped } = savings;
  if (skipped.cacheHits + skipped.notOk + skipped.unknownModel > 0) lines.push(`  left out: ${skipped.cacheHits} cache hits, ${skipped.notOk} failed calls, ${skipped.unknownModel} on models the catalog does not price`);
  if (savings.options.length === 0) {
    lines.push('  none of their models has a batch, flex or off-peak price: nothing to move');
    return lines.join('\n');
  }
  lines.push('', '  | moved to | calls | as recorded | at that price | saved | share |', '  |---|---|---|---|---|---|');
  for (const option of savings.options) {
    lines.push(`  | ${LABEL[option.tier]} | ${option.rows} | ${usd(option.recordedNanos)} | ${usd(option.projectedNanos)} | ${usd(option.savedNanos)} | ${percent(option.savedNanos, option.recordedNanos)}% |`);
  }
  lines.push(`  | the cheapest each model offers | ${savings.rows} | ${usd(savings.recordedNanos)} | ${usd(savings.cheapestNanos)} | ${usd(savings.cheapestSavedNanos)} | ${percent(savings.cheapestSavedNanos, savings.recordedNanos)}% |`);
  lines.push('', '  the waiting is not priced: batch answers come within 24 h, flex may be refused under load, off-peak waits for its window');
  return lines.join('\n');
}

/** The same as JSON: exact nano-dollars as integer strings, USD as decimal strings. */
export function tierSavingsJson(savings: TierSavings) {
  const money = (nanos: bigint) => ({ nanos: nanos.toString(), usd: formatNanosUsd(nanos) });
  return {
    tag: savings.tag,
    rows: savings.rows,
    recorded: money(savings.recordedNanos),
    options: savings.options.map((option) => ({ tier: option.tier, rows: option.rows, recorded: money(option.recordedNanos), projected: money(option.projectedNanos), saved: money(option.savedNanos) })),
    cheapest: money(savings.cheapestNanos),
    cheapestSaved: money(savings.cheapestSavedNanos),
    skipped: savings.skipped,
  };
}
