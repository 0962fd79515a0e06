import { splitSentences } from './split-sentences.js';
import { splitBlocks, splitParagraphs } from './text-blocks.js';

/**
 * The units extractive compression keeps or drops, cut from one context region:
 * - `sentence`: a sentence of prose;
 * - `line`: a structured line kept whole (a JSON `"key": value` line, a list item);
 * - `exemplar`: a whole few-shot demonstration (a multi-line paragraph whose leading label, e.g. `Question:`,
 *   starts at least two such paragraphs), because half an exemplar teaches the wrong thing;
 * - `header`: a document or section title (`Document [3](Title: …)`, `# Heading`, `Context:`), kept exactly when
 *   something of its section is kept, so a kept sentence never loses the name of its source;
 * - `code`, `table`: kept byte-exact, always.
 * Units of one section (a paragraph, or everything under one header) are neighbours.
 */
export type UnitKind = 'sentence' | 'line' | 'exemplar' | 'header' | 'code' | 'table';

export interface ContextUnit {
  kind: UnitKind;
  /** The unit's text, without surrounding whitespace (code and tables excepted: they are verbatim). */
  text: string;
  /** The whitespace between this unit and the next one. */
  separator: string;
  section: number;
  /** For a `"key": value` line, the key as written between its quotes. */
  key?: string;
}

export interface SegmentedContext {
  /** Whitespace before the first unit. */
  leading: string;
  units: ContextUnit[];
  /** One past the highest section number used. */
  sectionCount: number;
}

/** The label of a retrieved document: `Document [3](Title: …)`, `Passage 2:`, `[4]`. */
export const DOC_HEADER = /^(?:document|doc|passage|source|chunk|context|result|article|snippet)\s*\[?#?\d+\]?(?:\s*\((?:title:)?[^)\n]{0,200}\))?[:.]?(?=\s|$)|^\[\d+\](?=\s)/i;
const MARKDOWN_HEADING = /^#{1,6}\s+\S/;
const LABEL_LINE = /^[^\n]{1,60}[:：]$/;
const JSON_KEY_LINE = /^[{[,]?\s*"((?:[^"\\\n]|\\.)*)"\s*:/;
const LIST_ITEM = /^(?:[-*+•]|\d{1,3}[.)])\s+\S/;
const EXEMPLAR_LABEL = /^(\p{L}[\p{L}\p{N} ]{0,24})[:：]\s/u;
const HARD_WRAP_END = /[\p{L}\p{N},;]$/u;
const LOWERCASE_START = /^\s*\p{Ll}/u;
const WORD = /\S+/g;
const MAX_LIST_ITEM_WORDS = 60;
const MAX_LABEL_WORDS = 8;

function exemplarLabel(paragraph: string): string | undefined {
  if (!paragraph.includes('\n')) return undefined;
  const match = EXEMPLAR_LABEL.exec(paragraph);
  return match ? match[1].toLowerCase().replace(/\d+/g, '#') : undefined;
}

/** Joins hard-wrapped lines ("…of the\nnext…") so a wrapped sentence is one unit, not two fragments. */
function logicalLines(paragraph: string): string[] {
  const lines = paragraph.split('\n');
  const merged: string[] = [];
  for (const line of lines) {
    const previous = merged.at(-1);
    const continues = previous !== undefined && HARD_WRAP_END.test(previous) && LOWERCASE_START.test(line) &&
      !LIST_ITEM.test(line.trimStart()) && !JSON_KEY_LINE.test(previous.trimStart());
    if (continues) merged[merged.length - 1] = `${previous}\n${line}`;
    else merged.push(line);
  }
  return merged;
}

class UnitBuilder {
  leading = '';
  readonly units: ContextUnit[] = [];
  section: number;
  private sectionHasContent = true;
  // False before the first section, so that the first call to newSection opens it.
  private sectionIsEmpty = false;

  constructor(firstSection: number) {
    this.section = firstSection - 1;
  }

  whitespace(text: string) {
    if (text === '') return;
    if (this.units.length === 0) this.leading += text;
    else this.units[this.units.length - 1].separator += text;
  }

  /** Starts a section, unless the current one is only a header waiting for its content. */
  paragraphStart() {
    if (this.sectionHasContent) this.newSection();
  }

  newSection() {
    if (this.sectionIsEmpty) return;
    this.section += 1;
    this.sectionHasContent = true;
    this.sectionIsEmpty = true;
  }

  add(kind: UnitKind, text: string, key?: string) {
    if (kind === 'header') this.newSection();
    this.sectionIsEmpty = false;
    this.units.push(key === undefined ? { kind, text, separator: '', section: this.section } : { kind, text, separator: '', section: this.section, key });
    this.sectionHasContent = kind !== 'header';
  }
}

function addProse(builder: UnitBuilder, text: string) {
  let previousEnd = 0;
  for (const span of splitSentences(text)) {
    builder.whitespace(text.slice(previousEnd, span.start));
    builder.add('sentence', text.slice(span.start, span.end));
    previousEnd = span.end;
  }
  builder.whitespace(text.slice(previousEnd));
}

function addLine(builder: UnitBuilder, line: string) {
  const core = line.trimStart();
  builder.whitespace(line.slice(0, line.length - core.length));
  const trimmed = core.trimEnd();
  const trailing = core.slice(trimmed.length);
  const jsonKey = JSON_KEY_LINE.exec(trimmed);
  if (MARKDOWN_HEADING.test(trimmed) || (LABEL_LINE.test(trimmed) && (trimmed.match(WORD)?.length ?? 0) <= MAX_LABEL_WORDS)) {
    builder.add('header', trimmed);
  } else if (jsonKey) {
    builder.add('line', trimmed, jsonKey[1]);
  } else if (LIST_ITEM.test(trimmed) && (trimmed.match(WORD)?.length ?? 0) <= MAX_LIST_ITEM_WORDS) {
    builder.add('line', trimmed);
  } else {
    const header = DOC_HEADER.exec(trimmed);
    if (header) builder.add('header', header[0]);
    addProse(builder, header ? trimmed.slice(header[0].length) : trimmed);
  }
  builder.whitespace(trailing);
}

export function segmentContext(text: string, firstSection = 0): SegmentedContext {
  const builder = new UnitBuilder(firstSection);
  const blocks = splitBlocks(text);
  const labelCounts = new Map<string, number>();
  for (const block of blocks) {
    if (block.kind !== 'prose') continue;
    for (const paragraph of splitParagraphs(block.text)) {
      const label = exemplarLabel(paragraph.text);
      if (label !== undefined) labelCounts.set(label, (labelCounts.get(label) ?? 0) + 1);
    }
  }
  for (const block of blocks) {
    if (block.kind !== 'prose') {
      const core = block.text.trimEnd();
      // A header right above a code block or table ("Example:") belongs to it, so it is kept with it.
      builder.paragraphStart();
      builder.add(block.kind, core);
      builder.whitespace(block.text.slice(core.length));
      continue;
    }
    for (const paragraph of splitParagraphs(block.text)) {
      if (paragraph.text !== '') {
        builder.paragraphStart();
        const label = exemplarLabel(paragraph.text);
        if (label !== undefined && (labelCounts.get(label) ?? 0) >= 2) {
          builder.add('exemplar', paragraph.text);
        } else {
          logicalLines(paragraph.text).forEach((line, index) => {
            if (index > 0) builder.whitespace('\n');
            addLine(builder, line);
          });
        }
      }
      builder.whitespace(paragraph.separator);
    }
  }
  return { leading: builder.leading, units: builder.units, sectionCount: builder.section + 1 };
}

function newlineCount(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count += 1;
  return count;
}

/**
 * The text of the kept units. Between two kept units goes the widest whitespace of the dropped stretch between
 * them, so dropping a paragraph's last sentence never glues the next paragraph onto it.
 */
export function joinUnits(segmented: SegmentedContext, keep: readonly boolean[]): string {
  let text = '';
  let pending: string | undefined;
  segmented.units.forEach((unit, index) => {
    if (keep[index]) {
      text += pending ?? segmented.leading;
      text += unit.text;
      pending = unit.separator;
    } else if (pending !== undefined && newlineCount(unit.separator) >= newlineCount(pending)) {
      pending = unit.separator;
    }
  });
  return pending === undefined ? '' : text + pending;
}
