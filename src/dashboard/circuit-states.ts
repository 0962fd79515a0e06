import { channels, type CircuitStateEvent } from '../telemetry/events.js';

export interface CircuitStates {
  /** Deployments whose breaker changed since start-up, with their state now and since when. Any other is closed. */
  now(): Array<{ deployment: string; state: CircuitStateEvent['state']; since: number }>;
  close(): void;
}

/** Follows the circuit-breaker events (telemetry/events.ts) so the Routing page can show the states now. */
export function followCircuitStates(now: () => number = Date.now): CircuitStates {
  const states = new Map<string, { state: CircuitStateEvent['state']; since: number }>();
  const listener = (message: unknown) => {
    const event = message as CircuitStateEvent;
    states.set(event.deployment, { state: event.state, since: now() });
  };
  channels.circuitState.subscribe(listener);
  return {
    now: () => [...states].map(([deployment, { state, since }]) => ({ deployment, state, since })).sort((a, b) => a.deployment.localeCompare(b.deployment)),
    close: () => channels.circuitState.unsubscribe(listener),
  };
}
