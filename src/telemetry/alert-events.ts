import diagnosticsChannel from 'node:diagnostics_channel';

/** An alert the webhook delivered (budget threshold, route rate, quality regression): its JSON body as posted. */
export const alertSentChannel = diagnosticsChannel.channel('frugal:alert:sent');

export interface AlertSentEvent {
  /** The body posted: every alert has `type` and a readable `text`. */
  payload: { type?: unknown; text?: unknown } & Record<string, unknown>;
  /** Epoch ms of the delivery. */
  sentAt: number;
}

export function publishAlertSent(event: AlertSentEvent): void {
  if (alertSentChannel.hasSubscribers) alertSentChannel.publish(event);
}
