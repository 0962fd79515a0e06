import { redactRememberedCredentials, rememberCredentials } from '../errors/scrub-credentials.js';

// Key-shaped strings upstreams like to echo back ("Incorrect API key provided: sk-abc..."): OpenAI, Anthropic,
// Groq, xAI, Perplexity, NVIDIA and Frugal's own virtual keys (fk-vk_…), and whatever follows "Bearer". Broader than
// scrubCredentials' shapes on purpose: upstream text never holds a name of ours that this could eat.
const KEY_PATTERN = /\b(?:sk|sk-ant|sk-proj|gsk|xai|pplx|nvapi|frugal|fk)[-_][A-Za-z0-9_*-]{6,}|\bBearer\s+[^\s"',;]{6,}/g;

// Shorter values are placeholders ("x", "test") whose every occurrence in a message is not a leak.
const MIN_SECRET_CHARS = 8;

/**
 * Adds configured credentials (provider keys, secret-bearing header values) to the one registry
 * (errors/scrub-credentials.ts), whichever adapter they belong to: an aggregator or a misconfigured proxy may quote
 * another provider's key. Called once per provider at start-up.
 */
export function rememberSecrets(secrets: Iterable<string | undefined>): void {
  rememberCredentials(secrets);
}

/**
 * The one redaction of upstream text: every remembered credential (provider keys and the gateway's own: master key,
 * metrics token, session secret), the extra `secrets` given, and anything key-shaped, out of a text that came from
 * an upstream (or a prompt) and may reach a client, a log, the ledger, a sample or a metric.
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let result = redactRememberedCredentials(text);
  for (const secret of secrets) if (secret && secret.length >= MIN_SECRET_CHARS && result.includes(secret)) result = result.split(secret).join('[redacted]');
  return result.replace(KEY_PATTERN, '[redacted]');
}

/** `redactSecrets` for optional fields of an upstream's error (type, param, code), which are upstream text too. */
export function redactOptional(text: string | null | undefined, secrets: readonly (string | undefined)[] = []): string | null {
  return typeof text === 'string' ? redactSecrets(text, secrets) : null;
}
