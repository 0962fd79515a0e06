import { type AlertSentEvent, alertSentChannel } from '../telemetry/alert-events.js';

export interface SentAlert {
  type: string;
  text: string;
  /** The budget scope of a budget alert ("key:…", "team:growth", "global"); the route of a route or quality alert. */
  scope: string | null;
  sentAt: string;
  payload: Record<string, unknown>;
}

export interface RecentAlerts {
  /** Newest first. A promise where the alerts are gathered from other processes (the workers of `frugal serve`). */
  list(): SentAlert[] | Promise<SentAlert[]>;
  /** When this list started (the process's start, in effect): nothing earlier is known. */
  since: number;
  close(): void;
}

/**
 * The last `limit` alerts the webhook delivered, from the `frugal:alert:sent` channel. Nothing is stored: the
 * list starts empty with the process (the webhook's receiver holds the full history).
 */
export function followRecentAlerts({ limit = 100, now = Date.now }: { limit?: number; now?: () => number } = {}): RecentAlerts {
  const kept: SentAlert[] = [];
  const onAlert = (message: unknown) => {
    const { payload, sentAt } = message as AlertSentEvent;
    const scope = typeof payload.scope === 'string' ? payload.scope : typeof payload.route === 'string' ? payload.route : null;
    kept.unshift({ type: String(payload.type ?? 'alert'), text: String(payload.text ?? ''), scope, sentAt: new Date(sentAt).toISOString(), payload: { ...payload } });
    if (kept.length > limit) kept.length = limit;
  };
  alertSentChannel.subscribe(onAlert);
  return {
    since: now(),
    list: () => [...kept],
    close: () => alertSentChannel.unsubscribe(onAlert),
  };
}
