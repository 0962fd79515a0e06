export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  consecutiveFailures: number;
  /** Error rate over the window that opens the circuit, once `minRequests` were seen. */
  errorRate: number;
  minRequests: number;
  windowMs: number;
  /** How long an open circuit rejects before letting one probe through. */
  openMs: number;
}

export const DEFAULT_CIRCUIT_BREAKER: CircuitBreakerOptions = {
  consecutiveFailures: 5,
  errorRate: 0.5,
  minRequests: 20,
  windowMs: 30_000,
  openMs: 30_000,
};

/**
 * One deployment's breaker: closed → open on consecutive failures or a high error rate → half-open after
 * `openMs`, when exactly one probe may pass; its success closes the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  state: CircuitState = 'closed';
  private consecutive = 0;
  private windowStart: number;
  private windowRequests = 0;
  private windowFailures = 0;
  private openedAt = 0;
  private probing = false;

  constructor(
    private readonly options: CircuitBreakerOptions,
    private readonly now: () => number,
    private readonly onChange: (state: CircuitState) => void = () => {},
  ) {
    this.windowStart = now();
  }

  /** Whether a call may go to this deployment now; in half-open, reserves the single probe. */
  tryPass(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') {
      if (this.now() - this.openedAt < this.options.openMs) return false;
      this.transition('half_open');
    }
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Whether a call could pass, without reserving anything (for choosing among candidates). */
  isAvailable(): boolean {
    if (this.state === 'closed') return true;
    if (this.state === 'open') return this.now() - this.openedAt >= this.options.openMs;
    return !this.probing;
  }

  recordSuccess(): void {
    this.count(false);
    this.consecutive = 0;
    if (this.state === 'half_open') {
      this.probing = false;
      this.transition('closed');
    }
  }

  recordFailure(): void {
    this.count(true);
    this.consecutive += 1;
    if (this.state === 'half_open') {
      this.probing = false;
      this.open();
      return;
    }
    const rateTripped = this.windowRequests >= this.options.minRequests && this.windowFailures / this.windowRequests >= this.options.errorRate;
    if (this.state === 'closed' && (this.consecutive >= this.options.consecutiveFailures || rateTripped)) this.open();
  }

  /**
   * The call ended without telling anything about the deployment (the client left): frees the half-open probe if it
   * was the probe. A call let through before the circuit opened, ending now, must not: that let a second probe in
   * while the first was still out.
   */
  release(wasProbe: boolean): void {
    if (wasProbe && this.state === 'half_open') this.probing = false;
  }

  /** Forced open by a failed health check. */
  forceOpen(): void {
    if (this.state !== 'open') this.open();
  }

  private open() {
    this.openedAt = this.now();
    this.transition('open');
  }

  private count(failed: boolean) {
    const now = this.now();
    if (now - this.windowStart >= this.options.windowMs) {
      this.windowStart = now;
      this.windowRequests = 0;
      this.windowFailures = 0;
    }
    this.windowRequests += 1;
    if (failed) this.windowFailures += 1;
  }

  private transition(state: CircuitState) {
    if (this.state === state) return;
    this.state = state;
    if (state === 'closed') {
      this.consecutive = 0;
      this.windowRequests = 0;
      this.windowFailures = 0;
    }
    this.onChange(state);
  }
}

/** Breakers by deployment key, created on first use. */
export class CircuitBreakers {
  private readonly breakers = new Map<string, CircuitBreaker>();

  constructor(
    private readonly options: CircuitBreakerOptions = DEFAULT_CIRCUIT_BREAKER,
    private readonly now: () => number = Date.now,
    private readonly onChange: (deployment: string, state: CircuitState) => void = () => {},
  ) {}

  get(deployment: string): CircuitBreaker {
    let breaker = this.breakers.get(deployment);
    if (breaker === undefined) {
      breaker = new CircuitBreaker(this.options, this.now, (state) => this.onChange(deployment, state));
      this.breakers.set(deployment, breaker);
    }
    return breaker;
  }

  states(): Array<{ deployment: string; state: CircuitState }> {
    return [...this.breakers].map(([deployment, breaker]) => ({ deployment, state: breaker.state }));
  }
}
