/**
 * Frugal as a library: the same pipeline the server runs, in-process.
 * @example
 *   import { createGateway } from 'frugal';
 *   const gateway = await createGateway({ config: 'frugal.yaml' });
 */
export { createGateway, createGatewayFromConfig, type Gateway, type GatewayOptions, type GatewayReply } from './pipeline/create-gateway.js';
export { createServer, type ServerOptions } from './server/create-server.js';
export { loadConfig, validateConfig } from './config/load-config.js';
export type { GatewayConfig, ModelEntry } from './config/gateway-config.js';
export type { ChatRequest, ChatResponse, ChatChunk, ChatMessage } from './wire/chat-types.js';
export type { ProviderAdapter } from './providers/provider-adapter.js';
export type { LedgerRow } from './ledger/ledger-row.js';
export { FrugalError } from './errors/frugal-error.js';
export { formatNanosUsd, priceUsage } from './catalog/pricing.js';
