import { describe, expect, it } from 'vitest';
import type { ExperimentSettings } from '../config/quality-settings.js';
import { assignArm, stickyValue } from './assign-arm.js';

const experiment = (extra: Partial<ExperimentSettings> = {}): ExperimentSettings => ({
  name: 'cheap-vs-strong',
  route: 'auto',
  arms: [
    { name: 'a', model: 'gpt-4o', basisPoints: 3_000 },
    { name: 'b', model: 'deepseek-chat', basisPoints: 7_000 },
  ],
  sticky: { kind: 'user' },
  startMs: Date.UTC(2026, 0, 1),
  endMs: Date.UTC(2026, 1, 1),
  shadow: undefined,
  ...extra,
});
const during = Date.UTC(2026, 0, 15);
const subject = (user: string | null, requestId = `frg-${user}`, tags: Record<string, string> = {}) => ({ requestId, user, keyId: null, tags });

describe('experiment arms', () => {
  it('splits 20 000 users 30/70 within one percentage point', () => {
    let a = 0;
    for (let index = 0; index < 20_000; index += 1) if (assignArm(experiment(), subject(`user-${index}`), during)?.name === 'a') a += 1;
    expect(Math.abs(a / 20_000 - 0.3)).toBeLessThan(0.01);
  });

  it('gives a user the same arm on every request, whatever the request id', () => {
    for (let index = 0; index < 200; index += 1) {
      const first = assignArm(experiment(), subject(`user-${index}`, 'frg-1'), during)?.name;
      for (const requestId of ['frg-2', 'frg-3', 'frg-4']) expect(assignArm(experiment(), subject(`user-${index}`, requestId), during)?.name).toBe(first);
    }
  });

  it('is sticky on a tag when told to, and falls back to the request id without the sticky value', () => {
    const byTeam = experiment({ sticky: { kind: 'tag', tag: 'team' } });
    expect(stickyValue(byTeam, subject('u', 'r1', { team: 'growth' }))).toBe('growth');
    expect(stickyValue(byTeam, subject('u', 'r1'))).toBe('request:r1');
    expect(stickyValue(experiment(), subject(null, 'r9'))).toBe('request:r9');
    expect(stickyValue(experiment({ sticky: { kind: 'key' } }), { requestId: 'r', user: 'u', keyId: 'key_1', tags: {} })).toBe('key_1');
  });

  it('assigns nothing before the start or from the end on', () => {
    expect(assignArm(experiment(), subject('u'), Date.UTC(2025, 11, 31))).toBeUndefined();
    expect(assignArm(experiment(), subject('u'), Date.UTC(2026, 1, 1))).toBeUndefined();
    expect(assignArm(experiment({ endMs: undefined }), subject('u'), Date.UTC(2030, 0, 1))).toBeDefined();
  });

  it('splits the same users independently in two experiments', () => {
    const other = experiment({ name: 'another' });
    let same = 0;
    for (let index = 0; index < 5_000; index += 1) {
      if (assignArm(experiment(), subject(`u${index}`), during)?.name === assignArm(other, subject(`u${index}`), during)?.name) same += 1;
    }
    // Independent 30/70 splits agree on 0.3² + 0.7² = 58 % of users.
    expect(Math.abs(same / 5_000 - 0.58)).toBeLessThan(0.03);
  });

  it('treats an empty user or tag value as none: such requests are spread by their own ids, not pinned to one arm', () => {
    expect(stickyValue(experiment(), subject('', 'frg-9'))).toBe('request:frg-9');
    expect(stickyValue(experiment({ sticky: { kind: 'tag', tag: 'team' } }), subject(null, 'frg-8', { team: '' }))).toBe('request:frg-8');
    const arms = new Set<string | undefined>();
    for (let index = 0; index < 50; index += 1) arms.add(assignArm(experiment(), subject('', `frg-${index}`), during)?.name);
    expect(arms).toEqual(new Set(['a', 'b']));
  });
});
