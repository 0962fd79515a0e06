import type { LaneSettings } from '../config/lanes-settings.js';
import { parseDurationMs } from '../config/lanes-settings.js';
import { FrugalError } from '../errors/frugal-error.js';
import type { LaneState } from '../request/lane-state.js';
import type { RequestContext } from '../request/request-context.js';

/**
 * Decides whether a request can wait: `x-frugal-priority: background`, OpenAI's `service_tier: "flex"`, a route
 * configured `priority: background`, or a background tag (`x-frugal-priority: realtime` overrides the last
 * two). Its deadline: `x-frugal-deadline`, else the lane's default; a longer one than `max_deadline` is
 * shortened and the reply says so. Pure apart from the clock.
 */
export function decideLane(context: Pick<RequestContext, 'laneHint' | 'request' | 'tags' | 'warnings'>, settings: LaneSettings['background'], now: number): LaneState | undefined {
  const priority = context.laneHint?.priority?.trim().toLowerCase();
  if (priority !== undefined && priority !== 'background' && priority !== 'realtime') {
    throw new FrugalError('invalid_request', `x-frugal-priority must be 'background' or 'realtime', got '${context.laneHint!.priority}'.`, { param: 'x-frugal-priority' });
  }
  if (priority === 'realtime') return undefined;
  const model = typeof context.request.model === 'string' ? context.request.model : '';
  const reason: LaneState['reason'] | undefined =
    priority === 'background'
      ? 'header'
      : context.request.service_tier === 'flex'
        ? 'service_tier'
        : settings.routes.has(model)
          ? 'route'
          : settings.tags.size > 0 && Object.entries(context.tags).some(([name, value]) => settings.tags.get(name)?.has(value))
            ? 'tag'
            : undefined;
  if (reason === undefined) return undefined;
  let deadlineMs = settings.defaultDeadlineMs;
  const asked = context.laneHint?.deadline;
  if (asked !== undefined) {
    const ms = parseDurationMs(asked);
    if (ms === undefined || ms <= 0) throw new FrugalError('invalid_request', `x-frugal-deadline must be a duration such as 90s, 15m or 2h, got '${asked}'.`, { param: 'x-frugal-deadline' });
    deadlineMs = ms;
    if (ms > settings.maxDeadlineMs) {
      deadlineMs = settings.maxDeadlineMs;
      context.warnings.push(`x-frugal-deadline shortened to lanes.background.max_deadline (${settings.maxDeadlineMs / 1000}s)`);
    }
  }
  return { priority: 'background', deadlineAt: now + deadlineMs, reason, serviceTier: null, savedNanos: 0, waitedMs: 0 };
}
