// Key-shaped strings upstreams like to echo back ("Incorrect API key provided: sk-abc...").
const KEY_PATTERN = /\b(sk|sk-ant|sk-proj|frugal|fk)[-_][A-Za-z0-9_*-]{6,}/g;

/** Removes anything that looks like an API key, and the given secrets, from text that may reach a client or a log. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let result = text;
  for (const secret of secrets) if (secret && secret.length >= 4) result = result.split(secret).join('[redacted]');
  return result.replace(KEY_PATTERN, '[redacted]');
}
