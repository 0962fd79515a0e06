import { splitBlocks } from './text-blocks.js';

const INDENTED_CODE = /^(?: {4,}|\t)/;
const LEADING_BLANKS = /^[ \t]*/;
const INNER_RUN = /[ \t]{2,}/g;
const TRAILING_BLANKS = /[ \t]+$/;

function normaliseLine(line: string): string {
  if (line.trim() === '') return '';
  // A line indented like code may be code (Markdown's indented code blocks, pasted Python): leave it alone.
  if (INDENTED_CODE.test(line)) return line;
  const indent = LEADING_BLANKS.exec(line)![0];
  return indent + line.slice(indent.length).replace(INNER_RUN, ' ').replace(TRAILING_BLANKS, '');
}

function normaliseProse(prose: string): string {
  const endsWithNewline = prose.endsWith('\n');
  const lines = prose.split('\n');
  if (endsWithNewline) lines.pop();
  const kept: string[] = [];
  for (const line of lines) {
    const normalised = normaliseLine(line);
    if (normalised === '' && kept.length > 0 && kept[kept.length - 1] === '') continue;
    kept.push(normalised);
  }
  return kept.join('\n') + (endsWithNewline ? '\n' : '');
}

/**
 * Collapses runs of spaces and tabs inside prose lines, drops trailing blanks and keeps at most one blank line
 * between paragraphs. Code blocks, tables and code-like indented lines are left byte-exact, and so is leading
 * indentation (it carries list nesting).
 */
export function normaliseWhitespace(text: string): string {
  const blocks = splitBlocks(text);
  let result = '';
  blocks.forEach((block, index) => {
    let normalised = block.kind === 'prose' ? normaliseProse(block.text) : block.text;
    if (block.kind === 'prose' && index === 0) normalised = normalised.replace(/^\n+/, '');
    if (block.kind === 'prose' && index === blocks.length - 1) normalised = normalised.trimEnd();
    result += normalised;
  });
  return result;
}
