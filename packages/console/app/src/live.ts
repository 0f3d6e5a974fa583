/**
 * The live view of one deployment: the api's `plan/activity/_stream` pushes a snapshot (the
 * deployment as `GET /deployments/:id` shows it, plus its newest attempts) whenever it changes.
 * A dropped stream is reopened after {@link RECONNECT_MS}.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api';
import { readStream } from './sse';

/** Wait before reopening a dropped stream: quick enough to look live, slow enough not to hammer. */
const RECONNECT_MS = 1_000;

/** One step of an attempt. */
export interface Step {
  step_id: string;
  status: string;
  stage: string;
  started?: string;
  completed?: string;
  duration_in_millis?: number;
  info_log: { timestamp?: string; message: string }[];
}

/** One plan attempt. */
export interface Attempt {
  plan_attempt_id: string;
  plan_id: string;
  status: string;
  attempt_start_time: string;
  attempt_end_time?: string;
  plan_attempt_log: Step[];
  error?: { message: string; failure_type: string };
}

/** One instance. */
export interface Instance {
  instance_id: string;
  zone: string;
  allocator_id: string;
  memory_mb: number;
  state: string | null;
  healthy: boolean;
  host: string | null;
}

/** A plan document (its resources). */
export interface PlanDoc {
  plan_id: string;
  resources: Record<string, { ref_id: string; plan: Record<string, unknown> }[]>;
}

/** The deployment as `GET /deployments/:id` shows it. */
export interface DeploymentView {
  id: string;
  name: string;
  status: string;
  healthy: boolean;
  deleting: boolean;
  version: number;
  endpoint: string;
  created: string;
  plan: { pending: PlanDoc | null; current: PlanDoc | null };
  instances: Instance[];
}

/** What the stream delivers. */
export interface Snapshot {
  deployment: DeploymentView;
  attempts: Attempt[];
}

/** State of the live view. */
export interface LiveState {
  snapshot?: Snapshot;
  gone: boolean;
  connected: boolean;
  error?: string;
}

/** Follows one deployment's stream while the component is mounted. */
export function useLiveDeployment(id: string): LiveState {
  const [state, setState] = useState<LiveState>({ gone: false, connected: false });
  useEffect(() => {
    const abort = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let gone = false;
    const open = () => {
      readStream(`/deployments/${id}/plan/activity/_stream`, abort.signal, (event) => {
        if (event.event === 'snapshot') {
          const snapshot = JSON.parse(event.data) as Snapshot;
          setState({ snapshot, gone: false, connected: true });
        } else if (event.event === 'gone') {
          gone = true;
          setState((s) => ({ ...s, gone: true, connected: false }));
        }
      })
        .catch((err: unknown) => {
          if (abort.signal.aborted) return;
          if (err instanceof ApiError && err.status === 404) gone = true;
          setState((s) => ({
            ...s,
            gone,
            connected: false,
            error: err instanceof Error ? err.message : String(err),
          }));
        })
        .finally(() => {
          if (abort.signal.aborted || gone) return;
          setState((s) => ({ ...s, connected: false }));
          timer = setTimeout(open, RECONNECT_MS);
        });
    };
    open();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [id]);
  return state;
}
