import type { LaneSettings } from '../../config/lanes-settings.js';
import { decideLane } from '../../lanes/lane-decision.js';
import type { Stage } from '../stage.js';

/** Marks work that can wait; the lane gate around the model caller does the waiting. */
export function laneStage(settings: LaneSettings['background'], now: () => number = () => Date.now()): Stage {
  return async (context, next) => {
    const lane = decideLane(context, settings, now());
    if (lane !== undefined) {
      context.lane = lane;
      context.responseHeaders['x-frugal-lane'] = 'background';
    }
    return next();
  };
}
