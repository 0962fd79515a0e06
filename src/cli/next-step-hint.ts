import type { GatewayConfig } from '../config/gateway-config.js';

/** The model the README's Quickstart asks for; any other chat model when a config serves none by that name. */
const QUICKSTART_MODEL = 'gpt-4o-mini';

/**
 * The line `frugal serve` logs once it listens: a request that works as printed, so a new user's first step is a
 * copy and a paste. A wildcard bind (0.0.0.0, ::) is reached on the loopback; demo mode says how to leave it.
 *
 * @example
 * logger.info(nextStepHint(config, 'http://127.0.0.1:4000')); // try: curl http://127.0.0.1:4000/v1/chat/completions …
 */
export function nextStepHint(config: GatewayConfig, address: string): string {
  const base = address.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//127.0.0.1:');
  const chat = [...config.models.values()].filter((model) => model.type === 'chat');
  const model = chat.find((entry) => entry.name === QUICKSTART_MODEL)?.name ?? chat[0]?.name;
  if (model === undefined) return `no chat models configured; GET ${base}/v1/models lists what is served`;
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }] });
  const curl = `curl ${base}/v1/chat/completions -H 'content-type: application/json' -d '${body}'`;
  const demo = config.demoMode ? '; answers are simulated until a provider key (e.g. OPENAI_API_KEY) or a config with providers is given' : '';
  return `try: ${curl}${demo}`;
}
