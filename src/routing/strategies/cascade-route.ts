import { forgetResponseText } from '../../wire/response-wire-text.js';
import type { ModelEntry } from '../../config/gateway-config.js';
import { nanosToUsdNumber } from '../../catalog/pricing.js';
import { FrugalError } from '../../errors/frugal-error.js';
import type { ChatRequest, ChatResponse } from '../../wire/chat-types.js';
import type { ChatOutcome, RequestContext } from '../../request/request-context.js';
import { contentText } from '../../tokens/count-tokens.js';
import { DEFAULT_JUDGE_PROMPT, answerText, answersAgree, lastUserText, meanLogprob, parseJudgeScore, runLocalCheck, type CheckResult } from '../checks/quality-checks.js';
import { failureLabel } from '../failure-label.js';
import type { RouteNode, RouteRuntime } from '../route-node.js';
import type { CheckSpec } from '../route-schema.js';
import { replayAsStream } from '../../request/replay-as-stream.js';

export interface CascadeOptions {
  route: string;
  tiers: readonly RouteNode[];
  checks: readonly CheckSpec[];
  /** Models the judge and agree checks call, resolved at start-up by name. */
  checkModels: ReadonlyMap<string, ModelEntry>;
  streamFirstTier: boolean;
}

/**
 * Cheapest tier first; its answer is checked and the request escalates to the next tier only when a check
 * fails. Tiers are buffered (not streamed) so a failed answer never reaches the client; the last tier's answer
 * is served as it is. Failed tiers' costs stay in the request's spend.
 */
export function cascadeRoute(options: CascadeOptions): RouteNode {
  const wantsLogprobs = options.checks.some((check) => typeof check === 'object' && 'logprob' in check);
  return {
    name: options.route,
    models: () => options.tiers.flatMap((tier) => tier.models()),
    async run(context, runtime, attempt = {}) {
      const at = context.routeTrace.length;
      const failures: string[] = [];
      const clientStreams = context.request.stream === true;
      // The latest answer a check turned down: what the request gets if its cost ceiling stops the escalation.
      let best: { outcome: ChatOutcome; tier: string; failed: string } | undefined;
      const serve = (outcome: ChatOutcome) => {
        // A buffered answer was priced before later calls (checks, tiers tried after it): its usage.cost says all of it.
        const usage = outcome.kind === 'response' ? outcome.response.usage : undefined;
        if (usage?.cost !== undefined && outcome.kind === 'response') {
          forgetResponseText(outcome.response);
          usage.cost = nanosToUsdNumber(context.spend.costNanos);
        }
        context.routeTrace.splice(at, 0, failures.length > 0 ? `cascade:${failures.join(',')}` : 'cascade');
        return replayAsStream(context, outcome);
      };
      for (let index = 0; index < options.tiers.length; index += 1) {
        const tier = options.tiers[index];
        const last = index === options.tiers.length - 1;
        const live = clientStreams && (last || (index === 0 && options.streamFirstTier));
        const mark = context.routeTrace.length;
        let outcome: ChatOutcome;
        try {
          const overrides: Partial<ChatRequest> | undefined = wantsLogprobs && !last ? { logprobs: true } : undefined;
          outcome = await tier.run(context, runtime, { ...attempt, buffered: !live, overrides });
        } catch (error) {
          context.routeTrace.length = mark;
          if (isCeilingError(error) && best) {
            // Escalating would pass the request's cost ceiling: stop and serve the best answer there is, said out loud.
            failures.push(`${tier.name}(skip:cost_ceiling)`);
            context.warnings.push(`cost ceiling reached before tier '${tier.name}': served the answer of '${best.tier}', which failed check '${best.failed}'`);
            context.servedShort = true;
            return serve(best.outcome);
          }
          if (last || !(error instanceof FrugalError) || !error.retryable) throw error;
          failures.push(`${tier.name}(fail:${failureLabel(error)})`);
          runtime.onEvent({ type: 'escalation', route: options.route, from: tier.name, reason: failureLabel(error) });
          continue;
        }
        if (!last && outcome.kind === 'response') {
          let failed: CheckResult | undefined;
          try {
            failed = await firstFailedCheck(context, runtime, options, outcome.response);
          } catch (error) {
            if (!isCeilingError(error)) throw error;
            // A judge or second opinion the ceiling cannot pay for: this answer is the best the request can get.
            failures.push(`${tier.name}(unchecked:cost_ceiling)`);
            context.warnings.push(`cost ceiling reached: the answer of '${tier.name}' was served without its remaining checks`);
            context.servedShort = true;
            return serve(outcome);
          }
          if (failed) {
            context.routeTrace.length = mark;
            best = { outcome, tier: tier.name, failed: failed.name };
            failures.push(`${tier.name}(fail:${failed.name})`);
            runtime.onEvent({ type: 'escalation', route: options.route, from: tier.name, reason: failed.name });
            continue;
          }
        }
        return serve(outcome);
      }
      throw new FrugalError('internal_error', `Cascade '${options.route}' has no tiers.`);
    },
  };
}

async function firstFailedCheck(context: RequestContext, runtime: RouteRuntime, options: CascadeOptions, response: ChatResponse): Promise<CheckResult | undefined> {
  for (const check of options.checks) {
    let result: CheckResult;
    if (typeof check === 'string') result = runLocalCheck(check, context.request, response);
    else if ('logprob' in check) {
      const mean = meanLogprob(response);
      // No logprobs returned (provider doesn't support them): the check cannot fail the answer.
      result = { name: 'logprob', pass: mean === undefined || mean >= check.logprob.min, detail: String(mean) };
    } else if ('agree' in check) result = await agree(context, runtime, options.checkModels.get(check.agree.model)!, response);
    else result = await judge(context, runtime, options.checkModels.get(check.judge.model)!, check.judge.min, check.judge.prompt, response);
    if (!result.pass) return result;
  }
  return undefined;
}

/**
 * Self-consistency across models: a second cheap model gets the same request, and the tier's answer stands
 * when both state the same final answer. Two cheap models that agree are right far more often than either alone,
 * so only disagreements pay for the strong tier.
 */
async function agree(context: RequestContext, runtime: RouteRuntime, model: ModelEntry, response: ChatResponse): Promise<CheckResult> {
  try {
    const second = await runtime.callModel(context, model, { buffered: true, overrides: { logprobs: undefined, top_logprobs: undefined } });
    if (second.kind !== 'response') return { name: 'agree', pass: false, detail: 'no answer' };
    return { name: 'agree', pass: answersAgree(answerText(response), answerText(second.response)) };
  } catch (error) {
    if (isCeilingError(error)) throw error;
    // The second opinion is unavailable: escalate rather than serve an unconfirmed answer.
    return { name: 'agree', pass: false, detail: 'second model unavailable' };
  }
}

async function judge(context: RequestContext, runtime: RouteRuntime, model: ModelEntry, min: number, prompt: string | undefined, response: ChatResponse): Promise<CheckResult> {
  const question = lastUserText(context.request);
  const answer = contentText(response.choices[0]?.message?.content) || JSON.stringify(response.choices[0]?.message?.tool_calls ?? []);
  const messages: ChatRequest['messages'] = [
    { role: 'system', content: prompt ?? DEFAULT_JUDGE_PROMPT },
    { role: 'user', content: `Request:\n${question}\n\nAnswer:\n${answer}\n\nScore (0 to 1):` },
  ];
  try {
    const verdict = await runtime.callModel(context, model, {
      buffered: true,
      overrides: { messages, max_tokens: 8, temperature: 0, tools: undefined, tool_choice: undefined, response_format: undefined, n: undefined, logprobs: undefined, top_logprobs: undefined },
    });
    if (verdict.kind !== 'response') return { name: 'judge', pass: true };
    const score = parseJudgeScore(contentText(verdict.response.choices[0]?.message?.content));
    // An unreadable verdict fails safe: escalate rather than serve an unjudged answer.
    return { name: 'judge', pass: score !== undefined && score >= min, detail: String(score) };
  } catch (error) {
    if (isCeilingError(error)) throw error;
    return { name: 'judge', pass: false, detail: 'judge unavailable' };
  }
}

/** The request's own cost ceiling refused a call (raised by the spend hold before anything was sent). */
function isCeilingError(error: unknown): boolean {
  return error instanceof FrugalError && error.code === 'cost_ceiling_exceeded';
}
