/** Formats one server-sent event, the one place SSE is written. */
export function formatSseData(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';
