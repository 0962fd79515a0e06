import { describe, expect, it } from 'vitest';
import { nonCanonicalPathReason } from './canonical-path.js';

describe('canonical paths', () => {
  it('accepts the paths the gateway serves, with any query, and escapes of reserved characters', () => {
    for (const url of ['/', '/v1/chat/completions', '/v1/chat/completions?x=%zz', '/admin/keys/vk_abc/revoke', '/v1/models/meta-llama%2FLlama-3', '/v1/models/qwen:7b', '/v1/models/caf%C3%A9']) {
      expect(nonCanonicalPathReason(url), url).toBeUndefined();
    }
  });

  it('refuses encoded unreserved characters, in either case of hex', () => {
    for (const url of ['/%761/chat/completions', '/v1/%63hat/completions', '/v1/chat/completion%73', '/v1/%2e%2e/x', '/v1/%2E/x', '/v1/models/a%7Eb', '/v1/models/a%5Fb', '/v1/models/a%2db']) {
      expect(nonCanonicalPathReason(url), url).toBeDefined();
    }
  });

  it('refuses lowercase escapes, encoded controls and broken escapes', () => {
    for (const url of ['/v1/models/a%2fb', '/v1/chat/completions%00', '/v1/models/a%0A', '/v1/models/a%7F', '/v1/%', '/v1/%zz', '/v1/models/a%2']) {
      expect(nonCanonicalPathReason(url), url).toBeDefined();
    }
  });

  it('refuses empty and dot segments, trailing slashes, backslashes, ; parameters and non-path targets', () => {
    for (const url of ['//v1/chat/completions', '/v1//chat/completions', '/v1/chat/completions/', '/v1/./chat/completions', '/v1/x/../chat/completions', '/v1\\chat/completions', '/v1/chat/completions;x=1', '/v1/chat/completions#frag', 'http://127.0.0.1/v1/chat/completions', '*', '', '/v1/caf\u00e9', '/v1/a b']) {
      expect(nonCanonicalPathReason(url), JSON.stringify(url)).toBeDefined();
    }
  });
});
