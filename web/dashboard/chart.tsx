import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';

export interface ChartSeries {
  label: string;
  values: Array<number | null>;
  color: string;
}

const PALETTE = ['#1f5fa8', '#b3541e', '#2e7d32', '#7b3fa0', '#8a6d00', '#006d77', '#a1224c', '#4b4b4b'];
export const colorAt = (index: number) => PALETTE[index % PALETTE.length];

/**
 * A uPlot chart (chosen over ECharts by bench/dashboard/chart-compare.ts: ~23 KB gzipped against ~168 KB, and
 * about ten times faster at 10 000 points). `stacked` draws each series on top of the ones before it. The chart is
 * a picture of the table beside it, so screen readers get its label and the table.
 */
export function Chart({ label, x, series, stacked = false, unit = '' }: { label: string; x: number[]; series: ChartSeries[]; stacked?: boolean; unit?: string }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    let values = series.map((line) => line.values);
    if (stacked) {
      const running = x.map(() => 0);
      values = series.map((line) => line.values.map((value, index) => (running[index] += value ?? 0)));
    }
    // Drawn top of the stack first, each filled to zero: the later (lower) fills cover the earlier ones.
    const order = stacked ? series.map((_, index) => series.length - 1 - index) : series.map((_, index) => index);
    const width = Math.max(280, Math.min(element.clientWidth || 600, 1100));
    const plot = new uPlot(
      {
        width,
        height: 240,
        series: [{}, ...order.map((index) => ({ label: series[index].label, stroke: series[index].color, fill: stacked ? `${series[index].color}cc` : undefined, width: 2, value: (_u: uPlot, v: number | null) => (v === null ? '–' : `${unit}${v.toFixed(unit === '$' ? 4 : 1)}`) }))],
        axes: [{}, { values: (_u: uPlot, ticks: number[]) => ticks.map((tick) => `${unit}${tick}`) }],
        legend: { show: true },
      },
      [x, ...order.map((index) => values[index])] as uPlot.AlignedData,
      element,
    );
    return () => plot.destroy();
  }, [label, x, series, stacked, unit]);
  return <div class="chart" role="img" aria-label={label} ref={holder} />;
}
