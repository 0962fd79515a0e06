import { rememberCredentials } from '../errors/scrub-credentials.js';

// Key-shaped strings upstreams like to echo back ("Incorrect API key provided: sk-abc..."): OpenAI, Anthropic,
// Groq, xAI, Perplexity, NVIDIA and Frugal's own virtual keys (fk-vk_…), and whatever follows "Bearer".
const KEY_PATTERN = /\b(?:sk|sk-ant|sk-proj|gsk|xai|pplx|nvapi|frugal|fk)[-_][A-Za-z0-9_*-]{6,}|\bBearer\s+[^\s"',;]{6,}/g;

// Shorter values are placeholders ("x", "test") whose every occurrence in a message is not a leak.
const MIN_SECRET_CHARS = 8;

/**
 * Every credential the configuration holds (provider keys, secret-bearing header values), whichever adapter it
 * belongs to: an aggregator or a misconfigured proxy may quote another provider's key. Process-wide on purpose,
 * so there is one redaction, not one per adapter that each knows only its own key.
 */
const knownSecrets = new Set<string>();

/** Adds configured credentials to what every later redaction removes. Called once per provider at start-up. */
export function rememberSecrets(secrets: Iterable<string | undefined>): void {
  const values = [...secrets];
  for (const secret of values) if (secret && secret.length >= MIN_SECRET_CHARS) knownSecrets.add(secret);
  // Frugal's own error messages (which quote what a client sent) are scrubbed of them too.
  rememberCredentials(values);
}

/**
 * The one redaction: every configured credential, the extra `secrets` given, and anything key-shaped, out of a
 * text that came from an upstream and may reach a client, a log, the ledger or a metric.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let result = text;
  for (const secret of knownSecrets) if (result.includes(secret)) result = result.split(secret).join('[redacted]');
  for (const secret of secrets) if (secret && secret.length >= MIN_SECRET_CHARS && result.includes(secret)) result = result.split(secret).join('[redacted]');
  return result.replace(KEY_PATTERN, '[redacted]');
}

/** `redactSecrets` for optional fields of an upstream's error (type, param, code), which are upstream text too. */
export function redactOptional(text: string | null | undefined, secrets: readonly (string | undefined)[] = []): string | null {
  return typeof text === 'string' ? redactSecrets(text, secrets) : null;
}
