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

/**
 * Tag names that mean ownership. Budgets on `team:` and `key:` scopes and the ledger's team come from the
 * authenticated key, never from what a client typed: otherwise a key with no team could send `team=tiny`,
 * spend team tiny's budget and get tiny's own key refused.
 */
export const OWNERSHIP_TAGS: readonly string[] = ['team', 'key'];

/**
 * A request's tags: the key's default tags, then the caller's (header, then body `metadata`).
 *
 * With a key, a caller's `team` and `key` tags are dropped and `team` is the key's team (absent when it has
 * none). Without a key (an open gateway, or a library caller passing no key) nobody is authenticated: the
 * caller's `team` tag is kept as a self-declared label for reports and `tag:team=…` budgets, but never
 * selects a `team:` budget (the budget facts take the team from the key alone).
 */
export function requestTags(key: { team: string | null; defaultTags: Record<string, string> } | undefined, ...callerSources: Array<Record<string, unknown> | null | undefined>): Record<string, string> {
  const tags = mergeTags(key?.defaultTags, ...callerSources);
  if (key === undefined) return tags;
  for (const name of OWNERSHIP_TAGS) delete tags[name];
  if (key.team !== null) tags.team = key.team;
  return tags;
}
