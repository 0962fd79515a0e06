import type { ChatMessage } from '../wire/chat-types.js';
import { countPromptTokens, countTextTokens } from '../tokens/count-tokens.js';
import type { CompressionResult, EmbedFn, SkipReason } from './compression-result.js';
import { joinUnits, segmentContext, type SegmentedContext } from './context-units.js';
import { locateContext, type ContextRegion } from './locate-context.js';
import { replaceSlots } from './message-text.js';
import { blendScores, cosine, isCandidate, lexicalScores, mustKeep, queryAnchors } from './score-units.js';
import { selectUnits, type SelectableUnit } from './select-units.js';

export interface ExtractiveConfig {
  /** Prompts smaller than this (whole prompt, tokens) are passed through untouched. */
  minPromptTokens: number;
  /** Aim for tokensBefore / tokensAfter ≥ this. Defaults to 2 when neither target is set. */
  targetRatio?: number;
  /** Aim for at most this many prompt tokens. With `targetRatio` too, the smaller target wins. */
  tokenBudget?: number;
  /** Context regions smaller than this (estimated tokens) are not touched. Default 100. */
  minContextTokens?: number;
  /** How many top hits bring their neighbouring sentences along. Default 3. */
  neighbourHits?: number;
  /** Weight of a unit's section (document) relevance next to its own. Default 1: both count equally. */
  sectionWeight?: number;
  /** Optional embedder; when given, relevance blends BM25 with embedding similarity. */
  embed?: EmbedFn;
  /** Weight of embedding similarity in the blend. Default 0.5. */
  embedWeight?: number;
}

const DEFAULT_RATIO = 2;

interface Plan {
  messages: readonly ChatMessage[];
  question: string;
  regions: ContextRegion[];
  segments: SegmentedContext[];
  /** Every unit of every region, in order, with its region. */
  units: Array<SelectableUnit & { region: number; index: number }>;
  scores: Float64Array;
  must: boolean[];
  fixedTokens: number;
  tokensBefore: number;
  target: number;
}

function unchanged(messages: readonly ChatMessage[], skipped: SkipReason, tokens?: number): CompressionResult {
  const count = tokens ?? countPromptTokens(messages);
  return { messages: [...messages], tokensBefore: count, tokensAfter: count, method: 'none', skipped };
}

const TRAILING_BLANKS = /[ \t]+$/;

/**
 * A unit's tokens, counted with its separator minus trailing blanks: newlines merge with the punctuation before
 * them (`",\n` is one o200k token), and a space merges into the next unit's first token.
 */
function unitTokens(text: string, separator: string): number {
  return countTextTokens(text + separator.replace(TRAILING_BLANKS, ''));
}

function plan(messages: readonly ChatMessage[], config: ExtractiveConfig): Plan | CompressionResult {
  const located = locateContext(messages, { minContextTokens: config.minContextTokens ?? 100 });
  if ('failure' in located) return unchanged(messages, located.failure);
  const segments: SegmentedContext[] = [];
  const units: Plan['units'] = [];
  let sections = 0;
  located.regions.forEach((region, regionIndex) => {
    const segmented = segmentContext(region.context, sections);
    sections = segmented.sectionCount;
    segments.push(segmented);
    segmented.units.forEach((unit, index) => {
      units.push({ kind: unit.kind, section: unit.section, tokens: unitTokens(unit.text, unit.separator), region: regionIndex, index });
    });
  });
  // Each context is tokenised once, unit by unit; the rest of the prompt is counted without it.
  const fixedTokens = countPromptTokens(replaceSlots(messages, located.regions.map((region) => ({ ...region, text: region.head + region.tail }))));
  let tokensBefore = fixedTokens;
  for (const unit of units) tokensBefore += unit.tokens;
  if (tokensBefore < config.minPromptTokens) return unchanged(messages, 'below-min-tokens', tokensBefore);
  const ratio = config.targetRatio ?? (config.tokenBudget === undefined ? DEFAULT_RATIO : undefined);
  const target = Math.min(config.tokenBudget ?? Infinity, ratio === undefined ? Infinity : Math.floor(tokensBefore / ratio));
  if (tokensBefore <= target) return unchanged(messages, 'within-budget', tokensBefore);

  const allUnits = segments.flatMap((segmented) => segmented.units);
  const scores = lexicalScores(allUnits, sections, located.question, config.sectionWeight ?? 1);
  const must = mustKeep(allUnits, queryAnchors(located.question));
  return { messages, question: located.question, regions: located.regions, segments, units, scores, must, fixedTokens, tokensBefore, target };
}

function finish(planned: Plan, config: ExtractiveConfig, scores: ArrayLike<number>): CompressionResult {
  const selection = selectUnits({
    units: planned.units,
    scores,
    must: planned.must,
    budget: planned.target - planned.fixedTokens,
    neighbourHits: config.neighbourHits ?? 3,
  });
  if (selection.keep.every(Boolean)) return unchanged(planned.messages, 'nothing-to-drop', planned.tokensBefore);
  const keepByRegion = planned.segments.map((segmented) => segmented.units.map(() => false));
  planned.units.forEach((unit, position) => {
    keepByRegion[unit.region][unit.index] = selection.keep[position];
  });
  const replacements = planned.regions.map((region, regionIndex) => ({
    ...region,
    text: region.head + joinUnits(planned.segments[regionIndex], keepByRegion[regionIndex]) + region.tail,
  }));
  const messages = replaceSlots(planned.messages, replacements);
  return { messages, tokensBefore: planned.tokensBefore, tokensAfter: planned.fixedTokens + selection.tokens, method: 'extractive' };
}

/**
 * Query-aware extractive compression without embeddings: synchronous, no I/O, a few milliseconds for 8k
 * tokens of context. Keeps the best sentences (BM25 against the question) within the target, in their original
 * order; never cuts code, tables, the instruction or the question. See `locateContext` for what counts as
 * context and `segmentContext` for the units.
 *
 * @example
 * const result = compressExtractiveSync(request.messages, { minPromptTokens: 1000, targetRatio: 2 });
 * if (result.method === 'extractive') warnings.push(`compressed ${result.tokensBefore}→${result.tokensAfter} tokens`);
 */
export function compressExtractiveSync(messages: readonly ChatMessage[], config: Omit<ExtractiveConfig, 'embed'>): CompressionResult {
  const planned = plan(messages, config);
  return 'method' in planned ? planned : finish(planned, config, planned.scores);
}

/** As `compressExtractiveSync`, blending in embedding similarity when `config.embed` is given. */
export async function compressExtractive(messages: readonly ChatMessage[], config: ExtractiveConfig): Promise<CompressionResult> {
  const planned = plan(messages, config);
  if ('method' in planned) return planned;
  if (config.embed === undefined) return finish(planned, config, planned.scores);
  const allUnits = planned.segments.flatMap((segmented) => segmented.units);
  const candidates = allUnits.flatMap((unit, index) => (isCandidate(unit) ? [index] : []));
  const vectors = await config.embed([planned.question, ...candidates.map((index) => allUnits[index].text)]);
  const similarities = new Float64Array(allUnits.length);
  candidates.forEach((unitIndex, position) => {
    similarities[unitIndex] = cosine(vectors[0], vectors[position + 1]);
  });
  return finish(planned, config, blendScores(planned.scores, similarities, config.embedWeight ?? 0.5));
}

/** A compressor with its configuration bound, for the pipeline stage. */
export function createExtractiveCompressor(config: ExtractiveConfig): (messages: readonly ChatMessage[]) => Promise<CompressionResult> {
  return (messages) => compressExtractive(messages, config);
}
