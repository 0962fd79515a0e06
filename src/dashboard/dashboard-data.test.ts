import { describe, expect, it } from 'vitest';
import { bucketFor, escalated, fellBack } from './dashboard-data.js';

describe('reading decision paths', () => {
  it('counts a cascade that turned an answer down as an escalation, and a failed candidate elsewhere as a fallback', () => {
    expect(escalated('math>cascade:cheap(fail:json)>gpt-4o')).toBe(true);
    expect(fellBack('math>cascade:cheap(fail:json)>gpt-4o')).toBe(false);
    expect(escalated('math>cascade>cheap')).toBe(false);
    expect(fellBack('chat>fallback:gpt-4o(fail:timeout)>claude-haiku')).toBe(true);
    expect(fellBack('chat>loadbalance:round_robin:a(fail:rate_limited)>b')).toBe(true);
    expect(escalated('chat>fallback:gpt-4o(fail:timeout)>claude-haiku')).toBe(false);
    expect(escalated(null) || fellBack(null)).toBe(false);
  });

  it('draws hours for two days or less, days beyond', () => {
    expect(bucketFor({ since: 0, until: 2 * 86_400_000 }, 0)).toBe('hour');
    expect(bucketFor({ since: 0, until: 2 * 86_400_000 + 1 }, 0)).toBe('day');
  });
});
