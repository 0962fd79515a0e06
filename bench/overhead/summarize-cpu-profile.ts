// Where a gateway's CPU goes, from a V8 `.cpuprofile` (run-overhead.ts --cpu-prof writes one for Frugal):
//   node --import tsx bench/overhead/summarize-cpu-profile.ts bench/results/profiles/CPU.*.cpuprofile
// Prints self time by package / by function, and inclusive time of the gateway's own functions.
import { readFile } from 'node:fs/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const TOP = Number(process.env.FRUGAL_PROFILE_TOP ?? 25);

/** node_modules/<pkg>, the gateway's src/ folder, node: internals, or V8's own pseudo-frames. */
export function ownerOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1];
  // dist/ is what `frugal serve` runs once built (bin/frugal.mjs), src/ what it runs through tsx.
  const source = /\/(?:src|dist)\/([^/]+)\//.exec(url);
  if (source) return `frugal src/${source[1]}`;
  if (url.startsWith('node:')) return 'node core';
  return url;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\//, '').replace(/^.*\/(node_modules|src|dist)\//, '$1/');
  return `${functionName || '(anonymous)'} ${file}:${lineNumber + 1}`;
}

function table(title: string, entries: Map<string, number>, totalMs: number): string {
  const rows = [...entries.entries()].sort((a, b) => b[1] - a[1]).slice(0, TOP);
  return [title, ...rows.map(([name, value]) => `${value.toFixed(0).padStart(8)} ms ${((value / totalMs) * 100).toFixed(1).padStart(5)}%  ${name}`)].join('\n');
}

export function summarizeCpuProfile(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, index) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0) / 1000));
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const busyMs = [...selfMs.entries()].filter(([id]) => byId.get(id)?.callFrame.functionName !== '(idle)').reduce((sum, [, ms]) => sum + ms, 0);

  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, ms] of selfMs) {
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') continue;
    const owner = ownerOf(node.callFrame.url, node.callFrame.functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
    byFunction.set(label(node), (byFunction.get(label(node)) ?? 0) + ms);
  }

  // Inclusive time of gateway functions: a frame's self time plus its subtree's, counted once per stack.
  const inclusive = new Map<string, number>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  for (const [id, ms] of selfMs) {
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const node = byId.get(current);
      if (!node || !/\/(src|dist)\//.test(node.callFrame.url) || node.callFrame.url.includes('node_modules')) continue;
      const name = label(node);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  }

  return [
    `profile: ${totalMs.toFixed(0)} ms wall, ${busyMs.toFixed(0)} ms on CPU (percentages are of CPU time)`,
    '',
    table('self time by package:', byOwner, busyMs),
    '',
    table('self time by function:', byFunction, busyMs),
    '',
    table('inclusive time of gateway (src/) functions:', inclusive, busyMs),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: summarize-cpu-profile.ts FILE.cpuprofile…\n');
    process.exit(2);
  }
  for (const file of files) {
    process.stdout.write(`# ${file}\n${summarizeCpuProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile)}\n\n`);
  }
}
