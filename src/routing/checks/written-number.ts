/**
 * A number as answers write it: thousands separators only in well-formed groups ("1,200", not "1,2"),
 * optional decimals. One pattern for every check that reads numbers out of text, so they agree on what one is.
 */
export const WRITTEN_NUMBER = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+`;

export function writtenNumberValue(written: string): number {
  return Number(written.replaceAll(',', ''));
}
