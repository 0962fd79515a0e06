import type { GatewayConfig } from '../config/gateway-config.js';

// For each task, catalog models from cheapest-adequate to safest; the first one configured wins.
const PREFERENCES: Readonly<Record<string, readonly string[]>> = {
  simple: ['qwen3-8b', 'gpt-4o-mini', 'claude-haiku-4-5'],
  classify: ['qwen3-8b', 'gpt-4o-mini', 'claude-haiku-4-5'],
  extraction: ['glm-4-plus', 'gpt-4o-mini', 'claude-haiku-4-5'],
  chat: ['deepseek-v4-flash', 'gpt-4o-mini', 'claude-haiku-4-5'],
  code: ['deepseek-coder', 'deepseek-v4-flash', 'gpt-4o', 'claude-sonnet-4-5'],
  summarize: ['qwen3-32b', 'gpt-4o-mini', 'claude-haiku-4-5'],
  translate: ['qwen-mt-turbo', 'gpt-4o-mini', 'claude-haiku-4-5'],
  reasoning: ['deepseek-reasoner', 'deepseek-v4-pro', 'gpt-4o', 'claude-sonnet-4-5'],
};
const DEFAULTS = ['deepseek-v4-flash', 'gpt-4o-mini', 'claude-haiku-4-5', 'gpt-4o'];

/**
 * The built-in `auto` route, used when the config defines none: a classify route over the catalog models that
 * are actually configured (in demo mode, all of them). Undefined when no default model is available.
 */
export function defaultAutoRoute(config: GatewayConfig): Record<string, unknown> | undefined {
  const has = (name: string) => config.models.get(name)?.type === 'chat';
  const fallback = DEFAULTS.find(has);
  if (fallback === undefined) return undefined;
  const tasks: Record<string, string> = {};
  for (const [task, candidates] of Object.entries(PREFERENCES)) {
    const pick = candidates.find(has);
    if (pick !== undefined) tasks[task] = pick;
  }
  return { strategy: 'classify', tasks, default: fallback };
}
