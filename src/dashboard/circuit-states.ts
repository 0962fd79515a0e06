import { channels, type CircuitStateEvent } from '../telemetry/events.js';

export interface CircuitState {
  deployment: string;
  state: CircuitStateEvent['state'];
  since: number;
}

export interface CircuitStates {
  /**
   * Deployments whose breaker changed since start-up, with their state now and since when. Any other is closed.
   * A promise where the states are gathered from other processes (the workers of `frugal serve`).
   */
  now(): CircuitState[] | Promise<CircuitState[]>;
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
