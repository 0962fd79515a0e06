import { describe, expect, it } from 'vitest';
import { createMemoryRateLimiter } from '../rate-limit/memory-rate-limiter.js';
import { createBackgroundShare } from './background-share.js';

const DEPLOYMENT = 'openai/gpt-4o-mini';

function setup(limits: { rpm?: number; tpm?: number }, sharePpm = 300_000) {
  let at = 1_000_000;
  const limiter = createMemoryRateLimiter({ now: () => at });
  const share = createBackgroundShare({ limiter, sharePpm, limitsOf: (key) => (key === DEPLOYMENT ? { rpm: limits.rpm, tpm: limits.tpm } : undefined) });
  return { limiter, share, advance: (ms: number) => (at += ms) };
}

describe('createBackgroundShare', () => {
  it('lets background take at most its share of a deployment’s requests per minute, then says when to come back', async () => {
    const { share } = setup({ rpm: 100 });
    const verdicts = [];
    for (let n = 0; n < 31; n += 1) verdicts.push(await share.take(DEPLOYMENT, () => 0));
    expect(verdicts.filter((verdict) => verdict.granted)).toHaveLength(30);
    expect(verdicts[30]).toEqual({ granted: false, retryAfterMs: 2_000, exceedsShare: false, refusedBy: 'share' });
  });

  it('counts background calls in the deployment’s own bucket, so real-time traffic sees them', async () => {
    const { share, limiter } = setup({ rpm: 10 });
    for (let n = 0; n < 3; n += 1) expect((await share.take(DEPLOYMENT, () => 0)).granted).toBe(true);
    const realtime = await limiter.take(`rpm:deployment:${DEPLOYMENT}`, { limit: 10, periodMs: 60_000 });
    expect(realtime).toMatchObject({ allowed: true, remaining: 6 });
  });

  it('yields when real-time traffic has used the deployment’s whole limit, giving back what it took from its share', async () => {
    const { share, limiter } = setup({ rpm: 10 });
    for (let n = 0; n < 10; n += 1) await limiter.take(`rpm:deployment:${DEPLOYMENT}`, { limit: 10, periodMs: 60_000 });
    expect(await share.take(DEPLOYMENT, () => 0)).toMatchObject({ granted: false, refusedBy: 'deployment' });
    // The refused call's share unit was refunded: the whole share (3) is still there once the deployment has room.
    const own = await limiter.take(`lane:rpm:deployment:${DEPLOYMENT}`, { limit: 3, periodMs: 60_000 });
    expect(own).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('takes estimated tokens from the TPM share and corrects them to the real usage', async () => {
    const { share, limiter } = setup({ tpm: 10_000 });
    const verdict = await share.take(DEPLOYMENT, () => 2_000);
    expect(verdict.granted).toBe(true);
    if (verdict.granted) await verdict.settle(500);
    // Share 3 000 tokens: 500 used, so 2 500 are left.
    expect(await limiter.take(`lane:tpm:deployment:${DEPLOYMENT}`, { limit: 3_000, periodMs: 60_000 }, 2_500)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await share.take(DEPLOYMENT, () => 3_001)).toMatchObject({ granted: false, exceedsShare: true, refusedBy: 'share' });
  });

  it('grants at once on a deployment without configured limits', async () => {
    const { share } = setup({});
    for (let n = 0; n < 1_000; n += 1) expect((await share.take('other/model', () => 10)).granted).toBe(true);
  });
});
