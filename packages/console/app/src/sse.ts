/**
 * Server-Sent Events over `fetch`: EventSource cannot send an Authorization header, and the API
 * key must not go into a URL. Parses `event:`/`data:` blocks from the response body stream.
 */
import { API_PREFIX, ApiError, authHeaders } from './api';

/** One event of the stream. */
export interface StreamEvent {
  event: string;
  data: string;
}

/** Splits a text/event-stream buffer into complete events and the unfinished rest. */
export function parseEvents(buffer: string): { events: StreamEvent[]; rest: string } {
  const events: StreamEvent[] = [];
  const blocks = buffer.split(/\r?\n\r?\n/);
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (data.length > 0) events.push({ event, data: data.join('\n') });
  }
  return { events, rest };
}

/** Reads the stream at `path` until it ends or `signal` aborts, calling `onEvent` for each event. */
export async function readStream(
  path: string,
  signal: AbortSignal,
  onEvent: (event: StreamEvent) => void,
): Promise<void> {
  const res = await fetch(`${API_PREFIX}${path}`, {
    headers: { ...authHeaders(), accept: 'text/event-stream' },
    cache: 'no-store',
    signal,
  });
  if (!res.ok || res.body === null) {
    throw new ApiError(res.status, 'WHARF_STREAM', `stream refused (HTTP ${res.status})`, []);
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const parsed = parseEvents(buffer + value);
    buffer = parsed.rest;
    for (const event of parsed.events) onEvent(event);
  }
}
