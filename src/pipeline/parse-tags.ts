/**
 * Tags from the `x-frugal-tags` header ("feature=summarize,team=growth") merged with the OpenAI `metadata`
 * body field. Body metadata wins on conflicts because it is the more specific source.
 */
export function parseTagHeader(header: string | string[] | undefined): Record<string, string> {
  const raw = Array.isArray(header) ? header.join(',') : header;
  const tags: Record<string, string> = {};
  if (!raw) return tags;
  for (const pair of raw.split(',')) {
    const equals = pair.indexOf('=');
    if (equals <= 0) continue;
    const key = pair.slice(0, equals).trim();
    const value = pair.slice(equals + 1).trim();
    if (key !== '' && value !== '') tags[key] = value;
  }
  return tags;
}

export function mergeTags(...sources: Array<Record<string, unknown> | null | undefined>): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const source of sources) {
    if (!source) continue;
    for (const [key, value] of Object.entries(source)) if (typeof value === 'string') tags[key] = value;
  }
  return tags;
}
