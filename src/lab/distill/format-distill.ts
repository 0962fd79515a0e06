import { formatUsd } from '../../ledger/report-format.js';
import type { DistillCandidate } from './distill-candidates.js';

/** One line per task, then what was assumed. */
export function formatDistillTable(candidates: readonly DistillCandidate[], notes: { window: string; price: string; minMonthlyCalls: number }): string {
  const header = ['task', 'requests', 'calls_per_month', 'spend_per_month_usd', 'distilled_per_month_usd', 'saving_per_month_usd', 'volume'];
  const body = candidates.map((c) => [
    c.task ?? '(none)',
    String(c.requests),
    String(c.monthlyCalls),
    formatUsd(c.monthlySpendNanos, 2),
    formatUsd(c.distilledMonthlyNanos, 2),
    formatUsd(c.monthlySavingNanos, 2),
    c.passes ? 'distill' : 'too few',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ').trimEnd();
  const passing = candidates.filter((c) => c.passes);
  return [
    `distillation candidates by task, ${notes.window}`,
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...body.map(line),
    '',
    passing.length === 0
      ? `No task reaches ${notes.minMonthlyCalls.toLocaleString('en-US')} calls a month, the volume at which distilling usually pays (the field reports' rule of thumb).`
      : `${passing.length} task(s) reach ${notes.minMonthlyCalls.toLocaleString('en-US')} calls a month: export their passing samples with \`frugal export --route R --min-score 0.8\`.`,
    `Monthly figures are the window's rate over 30 days; the distilled model is priced at ${notes.price} on the same tokens (no training cost included).`,
  ].join('\n');
}

export function formatDistillJson(candidates: readonly DistillCandidate[], notes: { window: string; price: string; minMonthlyCalls: number }): string {
  return JSON.stringify(
    {
      window: notes.window,
      distilledPrice: notes.price,
      minMonthlyCalls: notes.minMonthlyCalls,
      tasks: candidates.map((c) => ({
        task: c.task,
        requests: c.requests,
        monthlyCalls: c.monthlyCalls,
        monthlySpendNanos: c.monthlySpendNanos.toString(),
        distilledMonthlyNanos: c.distilledMonthlyNanos.toString(),
        monthlySavingNanos: c.monthlySavingNanos.toString(),
        passes: c.passes,
      })),
    },
    null,
    2,
  );
}
