/** Where the constructor's loops report events (an `EventRecorder` from `@wharf/zk`). */
import { type EventInput } from '@wharf/model';

/** Records an event without blocking or failing the caller. */
export interface EventSink {
  emit(input: EventInput): void;
}
