import { describe, expect, it } from 'vitest';
import { FrugalError } from './frugal-error.js';
import { rememberCredentials, scrubCredentials } from './scrub-credentials.js';
import { toAnthropicError } from './to-anthropic-error.js';
import { toOpenAIError } from './to-openai-error.js';

const VIRTUAL_KEY = 'fk-vk_kduzrcs2zv4w-rJcdxT4F9-jrIp8gEnLFmjp2DH9W5OMOgfQiP-rWk6g';
const MASTER_KEY = 'scrub-test-master-0123456789';

describe('scrubCredentials', () => {
  it('removes virtual keys, provider-key shapes and remembered credentials from what an error quotes', () => {
    rememberCredentials([MASTER_KEY, 'short', undefined]);
    expect(scrubCredentials(`No such File object: ${VIRTUAL_KEY}`)).toBe('No such File object: [redacted]');
    expect(scrubCredentials("The model 'sk-proj-abcdefghijklmnop0123' does not exist.")).toBe("The model '[redacted]' does not exist.");
    expect(scrubCredentials(`No batch found with id '${MASTER_KEY}'.`)).toBe("No batch found with id '[redacted]'.");
    // Too short to be a credential: a placeholder stays.
    expect(scrubCredentials("'purpose' must be 'batch' (got 'short').")).toBe("'purpose' must be 'batch' (got 'short').");
  });

  it('leaves header names, model names and codes alone', () => {
    for (const text of ["x-frugal-deadline must be a duration such as 90s, 15m or 2h, got 'soon'.", "The model 'gpt-4o-mini' does not exist.", "Unknown model 'sk-model'.", 'frugal_ledger is locked']) {
      expect(scrubCredentials(text)).toBe(text);
    }
  });

  it('is applied by both renderers', () => {
    const error = new FrugalError('not_found', `No such File object: ${VIRTUAL_KEY}`, { param: 'file_id' });
    expect(toOpenAIError(error).body.error.message).toBe('No such File object: [redacted]');
    expect(toAnthropicError(error).body.error.message).toBe('No such File object: [redacted]');
  });
});
