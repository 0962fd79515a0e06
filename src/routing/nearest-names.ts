/**
 * The names closest to a misspelt one (`vllm-1` for `vllm-a`), nearest first: a few edits away, or one containing
 * the other (`deepseek-v4` for `deepseek-v4-flash`). For config errors, so a typo names its fix.
 *
 * @example
 * nearestNames('gpt4o', ['gpt-4o', 'gpt-4o-mini', 'qwen3-8b']); // ['gpt-4o', 'gpt-4o-mini']
 */
export function nearestNames(name: string, candidates: Iterable<string>, most = 3): string[] {
  const wanted = name.toLowerCase();
  // A third of the name, at least 2: 'vllm-a' → 'vllm-b' (1 edit) is offered, 'qwen3-8b' for 'gpt-4o' is not.
  const allowed = Math.max(2, Math.floor(wanted.length / 3));
  const scored: Array<{ candidate: string; distance: number }> = [];
  for (const candidate of new Set(candidates)) {
    const lower = candidate.toLowerCase();
    // Containment counts only for names of 4 characters or more: 'a' is inside nearly every name.
    const contains = Math.min(wanted.length, lower.length) >= 4 && (lower.includes(wanted) || wanted.includes(lower));
    const distance = contains ? Math.min(1, editDistance(wanted, lower)) : editDistance(wanted, lower);
    if (distance <= allowed) scored.push({ candidate, distance });
  }
  return scored.sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate)).slice(0, most).map((entry) => entry.candidate);
}

/** Levenshtein distance: insertions, deletions and substitutions, one row at a time. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length];
}
