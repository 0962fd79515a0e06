/**
 * Splits prompt text into prose, fenced code and tables, so that every compressor can leave code and tables
 * byte-exact. Joining the blocks' texts gives back the input exactly.
 */
export type BlockKind = 'prose' | 'code' | 'table';

export interface TextBlock {
  kind: BlockKind;
  text: string;
}

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;
const TABLE_DELIMITER_ROW = /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)+\|?\s*$/;

/** Lines keep their `\n`, so slicing and joining never loses or adds a character. */
function splitLinesKeepingEnds(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', start)) {
    lines.push(text.slice(start, index + 1));
    start = index + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

function isTableLine(line: string): boolean {
  return line.includes('|');
}

/** A table is a run of ≥ 2 piped lines that is either all `|…`-led or contains a markdown delimiter row. */
function tableLength(lines: string[], start: number): number {
  let end = start;
  while (end < lines.length && isTableLine(lines[end])) end += 1;
  const run = lines.slice(start, end);
  if (run.length < 2) return 0;
  const allLed = run.every((line) => line.trimStart().startsWith('|'));
  const hasDelimiter = run.some((line) => TABLE_DELIMITER_ROW.test(line));
  return allLed || hasDelimiter ? run.length : 0;
}

function fenceLength(lines: string[], start: number): number {
  const opening = FENCE_OPEN.exec(lines[start]);
  if (!opening) return 0;
  const marker = opening[1];
  for (let index = start + 1; index < lines.length; index += 1) {
    const trimmed = lines[index].trim();
    // A closing fence uses the same character, at least as many, and nothing else on the line.
    if (trimmed.startsWith(marker) && trimmed.split('').every((char) => char === marker[0])) return index - start + 1;
  }
  return lines.length - start; // an unclosed fence runs to the end, as in CommonMark
}

export function splitBlocks(text: string): TextBlock[] {
  const lines = splitLinesKeepingEnds(text);
  const blocks: TextBlock[] = [];
  let prose = '';
  const flushProse = () => {
    if (prose !== '') blocks.push({ kind: 'prose', text: prose });
    prose = '';
  };
  let index = 0;
  while (index < lines.length) {
    const fence = fenceLength(lines, index);
    const table = fence === 0 ? tableLength(lines, index) : 0;
    const length = fence || table;
    if (length === 0) {
      prose += lines[index];
      index += 1;
      continue;
    }
    flushProse();
    blocks.push({ kind: fence ? 'code' : 'table', text: lines.slice(index, index + length).join('') });
    index += length;
  }
  flushProse();
  return blocks;
}

/** A paragraph of prose and the whitespace that follows it (blank lines included). */
export interface Paragraph {
  text: string;
  separator: string;
}

const BLANK_LINES = /\n[ \t]*\n(?:[ \t]*\n)*/g;

/** Splits prose at blank lines; joining `text + separator` of every paragraph gives back the input. */
export function splitParagraphs(prose: string): Paragraph[] {
  const paragraphs: Paragraph[] = [];
  if (prose.trim() === '') return prose === '' ? [] : [{ text: '', separator: prose }];
  // Only whole blank lines count as separators: the next paragraph keeps its own indentation.
  const leading = /^(?:[ \t]*\n)*/.exec(prose)![0];
  let start = 0;
  if (leading !== '') paragraphs.push({ text: '', separator: leading });
  start = leading.length;
  BLANK_LINES.lastIndex = start;
  for (let match = BLANK_LINES.exec(prose); match; match = BLANK_LINES.exec(prose)) {
    paragraphs.push({ text: prose.slice(start, match.index), separator: match[0] });
    start = match.index + match[0].length;
  }
  if (start < prose.length) {
    const rest = prose.slice(start);
    const trailing = /\s*$/.exec(rest)![0];
    paragraphs.push({ text: rest.slice(0, rest.length - trailing.length), separator: trailing });
  }
  return paragraphs;
}
