import type { UnitKind } from './context-units.js';

export interface SelectableUnit {
  kind: UnitKind;
  section: number;
  /** Tokens this unit adds when kept (its text and the whitespace after it). */
  tokens: number;
}

export interface SelectionInput {
  units: readonly SelectableUnit[];
  /** Relevance of each unit; only sentences, lines and exemplars are ranked. */
  scores: ArrayLike<number>;
  /** Units kept even over budget (code, tables, anchor matches). */
  must: readonly boolean[];
  /** Tokens the kept units and their headers may use. */
  budget: number;
  /** How many of the best hits also bring their neighbours (the sentence before and after), budget allowing. */
  neighbourHits: number;
}

export interface Selection {
  keep: boolean[];
  tokens: number;
}

function isRanked(kind: UnitKind): boolean {
  return kind === 'sentence' || kind === 'line' || kind === 'exemplar';
}

/**
 * Greedy budgeted selection: must-keep units first, then by score, each top hit followed by its neighbours
 * (answers often sit one sentence after the words that match the question). The single best unit is kept even
 * when it alone exceeds the budget: a compressed prompt without its best evidence is worse than a long one.
 * A header is kept, and paid for, with the first kept unit of its section.
 */
export function selectUnits(input: SelectionInput): Selection {
  const { units, scores, must, budget } = input;
  const keep = units.map(() => false);
  const headerOf = new Map<number, number>();
  units.forEach((unit, index) => {
    if (unit.kind === 'header') headerOf.set(unit.section, index);
  });
  let used = 0;
  const costOf = (index: number) => {
    const header = headerOf.get(units[index].section);
    return units[index].tokens + (header !== undefined && !keep[header] ? units[header].tokens : 0);
  };
  const commit = (index: number) => {
    used += costOf(index);
    keep[index] = true;
    const header = headerOf.get(units[index].section);
    if (header !== undefined) keep[header] = true;
  };
  const tryTake = (index: number) => {
    if (keep[index]) return true;
    if (used + costOf(index) > budget) return false;
    commit(index);
    return true;
  };

  units.forEach((unit, index) => {
    if (must[index] && !keep[index]) commit(index);
  });
  const order = units
    .map((unit, index) => index)
    .filter((index) => isRanked(units[index].kind))
    .sort((a, b) => scores[b] - scores[a] || a - b);
  if (order.length > 0 && !keep[order[0]]) commit(order[0]);

  let hits = 0;
  for (const index of order) {
    if (!tryTake(index)) continue;
    if (hits >= input.neighbourHits || scores[index] <= 0) continue;
    hits += 1;
    for (const neighbour of [index - 1, index + 1]) {
      const unit = units[neighbour];
      if (unit !== undefined && unit.section === units[index].section && isRanked(unit.kind)) tryTake(neighbour);
    }
  }
  return { keep, tokens: used };
}
