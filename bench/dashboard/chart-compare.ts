/**
 * The chart library, chosen by measurement (issue 15): uPlot against Apache ECharts (tree-shaken: line chart,
 * grid, tooltip, canvas renderer). Bundle size (esbuild, minified; and gzipped) and the time to draw one
 * 10 000-point line chart in headless Chromium (median of 7, first run discarded), both in this run.
 *
 *   node --import tsx bench/dashboard/chart-compare.ts
 */
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { chromiumAvailable, launchChromium } from '../../src/testing/launch-chromium.js';

const POINTS = 10_000;
const RUNS = 8;

// Both libraries draw on a later frame (uPlot commits in a microtask, ECharts on its render loop): time to the
// second animation frame after the call, with the canvas read back so the drawing has really happened.
const PAINTED = `
  const painted = (start) => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(() => {
    const canvas = document.querySelector('#chart canvas'); canvas.getContext('2d').getImageData(0, 0, 1, 1);
    done(performance.now() - start);
  })));`;

const entries: Record<string, string> = {
  uplot: `
    import uPlot from 'uplot';
    window.draw = (xs, ys) => {
      const el = document.getElementById('chart'); el.textContent = '';
      const start = performance.now();
      new uPlot({ width: 800, height: 300, series: [{}, { stroke: 'blue' }] }, [xs, ys], el);
      return painted(start);
    };`,
  echarts: `
    import * as echarts from 'echarts/core';
    import { LineChart } from 'echarts/charts';
    import { GridComponent, TooltipComponent } from 'echarts/components';
    import { CanvasRenderer } from 'echarts/renderers';
    echarts.use([LineChart, GridComponent, TooltipComponent, CanvasRenderer]);
    window.draw = (xs, ys) => {
      const el = document.getElementById('chart'); echarts.dispose(el);
      const start = performance.now();
      const chart = echarts.init(el, null, { width: 800, height: 300 });
      chart.setOption({ animation: false, xAxis: { type: 'value', min: 'dataMin' }, yAxis: { type: 'value' }, tooltip: {}, series: [{ type: 'line', showSymbol: false, data: xs.map((x, i) => [x, ys[i]]) }] });
      return painted(start);
    };`,
};

async function bundle(source: string): Promise<string> {
  const result = await build({ stdin: { contents: PAINTED + source, resolveDir: process.cwd(), loader: 'js' }, bundle: true, minify: true, format: 'iife', write: false, logLevel: 'silent' });
  return result.outputFiles[0].text;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

if (!chromiumAvailable()) {
  console.error('chart-compare: /usr/bin/chromium is missing (apt-get install chromium)');
  process.exit(process.env.CI === 'true' ? 1 : 0);
}
const { context, close } = await launchChromium();
const results = [];
try {
  for (const [name, source] of Object.entries(entries)) {
    const js = await bundle(source);
    const page = await context.newPage();
    await page.setContent('<!doctype html><div id="chart"></div>');
    await page.addScriptTag({ content: js });
    const times = await page.evaluate(
      ({ points, runs }) => {
        const xs = Array.from({ length: points }, (_, i) => i);
        const ys = xs.map((i) => Math.sin(i / 50) * 100 + (i % 17));
        const draw = (globalThis as unknown as { draw: (xs: number[], ys: number[]) => Promise<number> }).draw;
        const times: number[] = [];
        return (async () => {
          for (let run = 0; run < runs; run += 1) times.push(await draw(xs, ys));
          return times;
        })();
      },
      { points: POINTS, runs: RUNS },
    );
    await page.close();
    results.push({ library: name, minifiedKb: +(js.length / 1024).toFixed(1), gzipKb: +(gzipSync(js).length / 1024).toFixed(1), renderMsMedian: +median(times.slice(1)).toFixed(1), firstRenderMs: +times[0].toFixed(1) });
  }
} finally {
  await close();
}
console.log(`chart libraries, one ${POINTS}-point line chart, headless Chromium:`);
console.table(results);
