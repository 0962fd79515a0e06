/**
 * A request that can wait (background lane), as the lane stage decided it: set on the context before routing,
 * read by the lane gate around every upstream attempt and by the ledger stage.
 */
export interface LaneState {
  priority: 'background';
  /** Epoch ms by which the reply is due (x-frugal-deadline, else lanes.background.default_deadline). */
  deadlineAt: number;
  /** What made it background: the header, `service_tier: "flex"`, its route, or a tag. */
  reason: 'header' | 'service_tier' | 'route' | 'tag';
  /** The rate the last upstream call was priced at when not real time (flex, off_peak); null: standard. */
  serviceTier: string | null;
  /** Over the attempts: what the same usage would have cost at the real-time price, minus what was paid. */
  savedNanos: number;
  /** How long the request waited for a cheaper window and for its share. */
  waitedMs: number;
}

/** The caller's lane headers, unparsed (the lane stage validates them). */
export interface LaneHint {
  /** x-frugal-priority: background | realtime. */
  priority?: string;
  /** x-frugal-deadline: 90s, 15m, 2h. */
  deadline?: string;
}
