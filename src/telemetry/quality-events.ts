import diagnosticsChannel from 'node:diagnostics_channel';

/** Quality's named events (samples, judges, regressions, experiment arms); quality-metrics.ts subscribes. */
export const qualityChannels = {
  /** A sample written, an answer judged, a sample or judge job dropped (buffer full), a verdict that did not parse. */
  quality: diagnosticsChannel.channel('frugal:quality'),
  /** The monitor's current mean score of a group (route, model or task) over its window. */
  qualityScore: diagnosticsChannel.channel('frugal:quality:score'),
  /** A route's quality signal moved beyond its baseline's interval: an alert was raised. */
  qualityRegression: diagnosticsChannel.channel('frugal:quality:regression'),
  /** A request was given an experiment arm. */
  experimentArm: diagnosticsChannel.channel('frugal:experiment:arm'),
} as const;

export interface QualityEvent {
  kind: 'sampled' | 'judged' | 'dropped' | 'unparsed';
  /** The quality config name (route or model) the sample matched; null for a shadow-only sample. */
  route: string | null;
  reason: string | null;
  /** A judged answer's score (0–1). */
  score?: number;
}

export interface QualityScoreEvent {
  by: 'route' | 'model' | 'task';
  group: string;
  /** Which signal: `score` (the default feedback), `judge`, `judge_win`, `escalation_rate`. */
  score: string;
  mean: number;
  scored: number;
}

export interface QualityRegressionEvent {
  route: string;
  signal: 'score' | 'judge' | 'judge_win' | 'escalation_rate';
  direction: 'down' | 'up';
}

export interface ExperimentArmEvent {
  experiment: string;
  arm: string;
}

export function publishQualityEvent(event: QualityEvent): void {
  if (qualityChannels.quality.hasSubscribers) qualityChannels.quality.publish(event);
}

export function publishQualityScore(event: QualityScoreEvent): void {
  if (qualityChannels.qualityScore.hasSubscribers) qualityChannels.qualityScore.publish(event);
}

export function publishQualityRegression(event: QualityRegressionEvent): void {
  if (qualityChannels.qualityRegression.hasSubscribers) qualityChannels.qualityRegression.publish(event);
}

export function publishExperimentArm(event: ExperimentArmEvent): void {
  if (qualityChannels.experimentArm.hasSubscribers) qualityChannels.experimentArm.publish(event);
}
