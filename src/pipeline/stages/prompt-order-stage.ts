import { createPromptOrderWatch } from '../../cache/prompt-order.js';
import { channels, publish } from '../../telemetry/events.js';
import type { Stage } from '../stage.js';

export const PROMPT_ORDER_WARNING = 'prompt-order';

/** Says so (warning, metric, ledger) when a route's requests put variable content before a long static block. */
export function promptOrderStage(): Stage {
  const watch = createPromptOrderWatch();
  return async (context, next) => {
    const finding = watch.check(context.request.model, context.request.messages);
    if (finding) {
      context.warnings.push(`${PROMPT_ORDER_WARNING}: variable content precedes a static block of ~${finding.staticTokens} tokens (message ${finding.staticIndex}); put static content first so prompt caches can hit`);
      publish(channels.promptOrder, { route: context.request.model, staticTokens: finding.staticTokens });
    }
    return next();
  };
}
