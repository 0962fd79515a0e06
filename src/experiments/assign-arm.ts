import type { ExperimentArm, ExperimentSettings } from '../config/quality-settings.js';
import { hashUnit } from '../quality/hash-unit.js';

/** Who a request is, as far as stickiness goes. */
export interface ArmSubject {
  requestId: string;
  user: string | null;
  keyId: string | null;
  tags: Readonly<Record<string, string>>;
}

/**
 * The value an experiment is sticky on: the same user (key, tag value) always gets the same arm. A request
 * without it (no `user` field, a keyless gateway, no such tag) falls back to its own id: assigned, not sticky.
 */
export function stickyValue(experiment: Pick<ExperimentSettings, 'sticky'>, subject: ArmSubject): string {
  const { sticky } = experiment;
  const value = sticky.kind === 'user' ? subject.user : sticky.kind === 'key' ? subject.keyId : sticky.kind === 'tag' ? subject.tags[sticky.tag] : null;
  // An empty `user` ("" is what many apps send for "no user") names nobody: left to pin every such request to one arm,
  // it would make one arm serve all anonymous traffic.
  return value === undefined || value === null || value === '' ? `request:${subject.requestId}` : value;
}

/**
 * The arm of an experiment for a request, or undefined outside its start/end window. Deterministic: a hash of
 * the experiment's name and the sticky value picks a bucket of 10 000, and arms own consecutive ranges of
 * buckets by their basis points. Pure: the clock is passed in.
 *
 * @example
 * assignArm(experiment, { requestId, user: 'u-42', keyId: null, tags: {} }, Date.now())?.name // 'b', always, for u-42
 */
export function assignArm(experiment: ExperimentSettings, subject: ArmSubject, now: number): ExperimentArm | undefined {
  if (now < experiment.startMs || (experiment.endMs !== undefined && now >= experiment.endMs)) return undefined;
  // The experiment's name is hashed in: two experiments sticky on the same users split them independently.
  const bucket = Math.floor(hashUnit(0x2545f491, `${experiment.name}\u0000${stickyValue(experiment, subject)}`) * 10_000);
  let upTo = 0;
  for (const arm of experiment.arms) {
    upTo += arm.basisPoints;
    if (bucket < upTo) return arm;
  }
  return experiment.arms.at(-1);
}
