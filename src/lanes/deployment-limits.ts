import type { GatewayConfig } from '../config/gateway-config.js';
import { deploymentKey } from '../routing/strategies/model-node.js';
import type { DeploymentLimits } from './background-share.js';

/**
 * Each deployment's RPM/TPM as loadbalance routes configure them (`deployments: [{ model, rpm, tpm }]`), by the
 * key the rate limiter uses (`provider/upstream`). A deployment listed by several routes keeps the lowest limit.
 */
export function deploymentLimits(config: GatewayConfig): Map<string, DeploymentLimits> {
  const limits = new Map<string, DeploymentLimits>();
  const lower = (a: number | undefined, b: number | undefined) => (a === undefined ? b : b === undefined ? a : Math.min(a, b));
  for (const spec of Object.values(config.routes)) {
    const route = spec as { strategy?: unknown; deployments?: Array<{ model?: unknown; rpm?: unknown; tpm?: unknown }> } | null;
    if (route?.strategy !== 'loadbalance' || !Array.isArray(route.deployments)) continue;
    for (const deployment of route.deployments) {
      const model = typeof deployment.model === 'string' ? config.models.get(deployment.model) : undefined;
      if (model === undefined) continue;
      const rpm = typeof deployment.rpm === 'number' ? deployment.rpm : undefined;
      const tpm = typeof deployment.tpm === 'number' ? deployment.tpm : undefined;
      if (rpm === undefined && tpm === undefined) continue;
      const key = deploymentKey(model);
      const known = limits.get(key);
      limits.set(key, { rpm: lower(known?.rpm, rpm), tpm: lower(known?.tpm, tpm) });
    }
  }
  return limits;
}
