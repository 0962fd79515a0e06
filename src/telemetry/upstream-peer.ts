import { channels } from './events.js';

/**
 * Who an upstream call talks to, in the OpenTelemetry GenAI vocabulary: `gen_ai.provider.name` is the provider's
 * well-known name (`openai`, `anthropic`, `aws.bedrock`…), never the name the operator gave it in the config,
 * and `server.address` / `server.port` are the host the request goes to.
 */
export interface UpstreamPeer {
  readonly genAiProvider: string;
  readonly address: string | undefined;
  readonly port: number | undefined;
}

// Hosts whose provider has a well-known gen_ai.provider.name; the first match wins. An entry starting with '.' or
// '-' is a suffix (regional and per-resource hosts); any other is the host or one of its subdomains.
const KNOWN_HOSTS: ReadonlyArray<readonly [suffix: string, provider: string]> = [
  ['.openai.azure.com', 'azure.ai.openai'],
  ['.cognitiveservices.azure.com', 'azure.ai.openai'],
  ['.services.ai.azure.com', 'azure.ai.inference'],
  ['models.inference.ai.azure.com', 'azure.ai.inference'],
  ['.amazonaws.com', 'aws.bedrock'],
  ['generativelanguage.googleapis.com', 'gcp.gemini'],
  ['aiplatform.googleapis.com', 'gcp.vertex_ai'],
  ['-aiplatform.googleapis.com', 'gcp.vertex_ai'],
  ['api.openai.com', 'openai'],
  ['api.anthropic.com', 'anthropic'],
  ['api.deepseek.com', 'deepseek'],
  ['api.groq.com', 'groq'],
  ['api.mistral.ai', 'mistral_ai'],
  ['api.x.ai', 'x_ai'],
  ['api.perplexity.ai', 'perplexity'],
  ['api.cohere.ai', 'cohere'],
  ['api.cohere.com', 'cohere'],
  ['.ml.cloud.ibm.com', 'ibm.watsonx.ai'],
];

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/**
 * The peer of an adapter, worked out once when the adapter is created. A host we do not know (vLLM, Ollama, a
 * proxy) is named after the API it speaks: `openai` for OpenAI-compatible servers, `anthropic` for Messages.
 *
 * @example upstreamPeer('openai', 'https://api.groq.com/openai/v1') // { genAiProvider: 'groq', address: 'api.groq.com', port: 443 }
 */
export function upstreamPeer(api: 'openai' | 'anthropic', baseUrl: string): UpstreamPeer {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { genAiProvider: api, address: undefined, port: undefined };
  }
  const host = url.hostname.toLowerCase();
  const known = KNOWN_HOSTS.find(([entry]) => (/^[.-]/.test(entry) ? host.endsWith(entry) : host === entry || host.endsWith(`.${entry}`)));
  // The Messages API is Anthropic's wherever it is served; an OpenAI-compatible API is named after its host.
  const genAiProvider = api === 'anthropic' ? 'anthropic' : (known?.[1] ?? 'openai');
  const port = url.port === '' ? DEFAULT_PORTS[url.protocol] : Number(url.port);
  // URL keeps IPv6 hosts in brackets; server.address is the bare address.
  return { genAiProvider, address: host.replace(/^\[(.*)\]$/, '$1'), port };
}

/** The simulated provider answers in-process: no well-known name applies, so a custom one (the convention allows it). */
export const SIMULATED_PEER: UpstreamPeer = { genAiProvider: 'frugal.simulated', address: undefined, port: undefined };

/** Said by an adapter as it sends a request, inside the upstream attempt: tracing puts it on the attempt's span. */
export function announceUpstreamPeer(peer: UpstreamPeer): void {
  if (channels.upstreamPeer.hasSubscribers) channels.upstreamPeer.publish(peer);
}
