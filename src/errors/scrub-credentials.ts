// Credential shapes a client may paste where an id, a model or a field name belongs, and that an error would
// otherwise quote back ("No such File object: <id>"): Frugal's virtual keys, and provider keys long enough not
// to be a model name (OpenAI, Anthropic, Groq, xAI, Perplexity, NVIDIA).
const CREDENTIAL_SHAPE = /fk-vk_[A-Za-z0-9_-]+|\b(?:sk-ant|sk-proj|sk|gsk|xai|pplx|nvapi)[-_][A-Za-z0-9_-]{16,}/g;

// Shorter values are placeholders ("x", "test") whose every occurrence in a message is not a leak.
const MIN_CREDENTIAL_CHARS = 8;

/**
 * The one registry of the gateway's own credentials, whatever their shape: provider keys and secret header values
 * (providers/redact-secrets.ts adds them), the master key, the metrics token and the session secret (create-server.ts).
 * Process-wide, like them. It used to be two registries, and upstream text was redacted of provider keys only: a
 * master key pasted into a prompt reached the quality samples (test/secret-registry.test.ts).
 */
const known = new Set<string>();

/** Adds configured credentials to what every later scrub and redaction removes. */
export function rememberCredentials(values: Iterable<string | undefined>): void {
  for (const value of values) if (value && value.length >= MIN_CREDENTIAL_CHARS) known.add(value);
}

/** `text` with every remembered credential replaced by [redacted]; shapes are left to the caller's own pattern. */
export function redactRememberedCredentials(text: string): string {
  let result = text;
  for (const value of known) if (result.includes(value)) result = result.split(value).join('[redacted]');
  return result;
}

/**
 * An error message as a client, a log or an error file may see it: every configured credential and anything
 * credential-shaped replaced by [redacted]. Messages quote what the client sent; a key pasted into the wrong field
 * must not come back in the reply, a proxy's log or a batch's error file.
 *
 * @example
 * scrubCredentials("No such File object: fk-vk_abc123-XYZ") // "No such File object: [redacted]"
 */
export function scrubCredentials(message: string): string {
  return redactRememberedCredentials(message).replace(CREDENTIAL_SHAPE, '[redacted]');
}
