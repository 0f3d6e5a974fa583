/**
 * The `--track` loop: polls `GET /deployments/:id/plan/activity`, feeds each snapshot of the
 * followed attempt to the pure {@link advanceTracker}, prints its events, and returns the exit
 * code once the attempt ends (0 success, 1 error or cancelled).
 */
import { WharfError, isWharfError } from '@wharf/model';
import { type Clock, systemClock } from '@wharf/supervise';
import { type ApiClient } from '../api/api-client';
import { ApiError } from '../api/api-error';
import { type TextSink } from '../context';
import {
  type AttemptSnapshot,
  INITIAL_TRACKER_STATE,
  type StepTrackerState,
  type TrackEvent,
  advanceTracker,
  exitCodeFor,
  formatTrackEvent,
  selectAttempt,
} from './step-tracker';

/** Poll period: steps take seconds, so half a second shows them promptly without loading the API. */
export const TRACK_POLL_MS = 500;
/** After this long without an attempt, say that the plan waits for a constructor. */
export const TRACK_WAIT_NOTICE_MS = 5000;
/** Default bound on tracking; the longest plan timeout the model accepts is far below it. */
export const DEFAULT_TRACK_TIMEOUT_MS = 2 * 60 * 60 * 1000;

/** Options of {@link trackPlan}. */
export interface TrackOptions {
  readonly client: ApiClient;
  readonly deploymentId: string;
  /** The plan the request created, when the API said. */
  readonly planId?: string;
  /** Attempt ids that existed before the request (never followed). */
  readonly knownAttemptIds: ReadonlySet<string>;
  /** A delete: the deployment disappearing (404) is the successful end. */
  readonly expectDeletion: boolean;
  readonly out: TextSink;
  /** Print events as JSON lines. */
  readonly json: boolean;
  readonly clock?: Clock;
  readonly pollMs?: number;
  readonly timeoutMs?: number;
}

/** A line of tracking output: an attempt's event, or a notice of the loop's own. */
type Emitted = TrackEvent | { kind: 'notice'; message: string };

/**
 * Follows the plan attempt until it ends; returns the exit code. For a delete, a successful
 * shutdown is not the end: the deployment is reported deleted only once the API no longer knows
 * it (`GET /deployments/<id>` answers 404).
 */
export async function trackPlan(options: TrackOptions): Promise<number> {
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const deadline = started + (options.timeoutMs ?? DEFAULT_TRACK_TIMEOUT_MS);
  const path = `/deployments/${options.deploymentId}/plan/activity`;
  let state = INITIAL_TRACKER_STATE;
  let noticed = false;
  let unavailable = false;
  const emit = (event: Emitted): void => {
    if (options.json) options.out.write(`${JSON.stringify(event)}\n`);
    else options.out.write(`${event.kind === 'notice' ? event.message : formatTrackEvent(event)}\n`);
  };
  for (;;) {
    const res = await pollOnce(options.client, path, () => {
      if (!unavailable) emit({ kind: 'notice', message: 'the API is not answering; still trying' });
      unavailable = true;
    });
    if (res !== undefined) {
      unavailable = false;
      if (res.status === 404) {
        const code = await onGone(options, state, emit);
        if (code !== undefined) return code;
      } else {
        const attempt = selectAttempt(
          attemptsOf(res.body),
          state.attemptId,
          options.planId,
          options.knownAttemptIds,
        );
        if (attempt !== undefined) {
          const next = advanceTracker(state, attempt);
          state = next.state;
          next.events.forEach(emit);
          const last = next.events.at(-1);
          if (last?.kind === 'attempt-finished') {
            // A delete's shutdown succeeded: the record goes next; wait for that.
            if (!(options.expectDeletion && last.status === 'success')) return exitCodeFor(last.status);
          }
        } else if (!noticed && clock.now() - started >= TRACK_WAIT_NOTICE_MS) {
          noticed = true;
          emit({ kind: 'notice', message: 'waiting for a constructor to pick up the plan…' });
        }
      }
    }
    if (clock.now() >= deadline) {
      throw new WharfError(
        'WHARF_TIMEOUT',
        `stopped tracking after ${Math.round((clock.now() - started) / 1000)} s; the plan goes on (wharf deployment show ${options.deploymentId})`,
      );
    }
    await clock.sleep(options.pollMs ?? TRACK_POLL_MS);
  }
}

/**
 * The activity answered 404. For a delete, that is the end once `GET /deployments/<id>` agrees
 * (undefined: not yet, poll on); otherwise the deployment vanished under us.
 */
async function onGone(
  options: TrackOptions,
  state: StepTrackerState,
  emit: (event: Emitted) => void,
): Promise<number | undefined> {
  const id = options.deploymentId;
  if (!options.expectDeletion) throw new WharfError('WHARF_NOT_FOUND', `deployment ${id} no longer exists`);
  const res = await options.client.request('GET', `/deployments/${id}`, { allow: [404] });
  if (res.status !== 404) return undefined;
  // The constructor removes the attempt with the deployment: its last steps were not seen ending.
  if (state.attemptId !== undefined && !state.finished)
    emit({ kind: 'notice', message: 'plan completed: the deployment was removed' });
  emit({ kind: 'notice', message: `deployment ${id} deleted` });
  return 0;
}

/** The activity answer, or undefined when the API is briefly unavailable (restarting, ZooKeeper reconnecting). */
async function pollOnce(
  client: ApiClient,
  path: string,
  onUnavailable: () => void,
): Promise<{ status: number; body: unknown } | undefined> {
  try {
    return await client.request('GET', path, { allow: [404] });
  } catch (err) {
    const transient =
      isWharfError(err, 'WHARF_UNAVAILABLE') || (err instanceof ApiError && err.status >= 500);
    if (!transient) throw err;
    onUnavailable();
    return undefined;
  }
}

/** The attempts of an activity answer (`{attempts: [...]}` or a bare array), loosely checked. */
export function attemptsOf(body: unknown): AttemptSnapshot[] {
  const list = Array.isArray(body) ? body : (body as { attempts?: unknown } | undefined)?.attempts;
  if (!Array.isArray(list)) return [];
  return list.filter(
    (a): a is AttemptSnapshot =>
      typeof a === 'object' &&
      a !== null &&
      typeof (a as AttemptSnapshot).plan_attempt_id === 'string' &&
      typeof (a as AttemptSnapshot).status === 'string' &&
      Array.isArray((a as AttemptSnapshot).plan_attempt_log),
  );
}
