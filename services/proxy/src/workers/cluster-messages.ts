/**
 * What the proxy's primary and its workers say to each other over the cluster IPC channel, and
 * the pure helpers behind it. The primary owns the ZooKeeper session: it reads `/routes` once and
 * relays the documents to every worker as deltas (a new worker gets the full set, so one restarted
 * during a ZooKeeper outage still serves the last known routes); each worker builds its own table.
 */
import type { LogLevel } from '@wharf/observability';
import type { RouteDocument } from '../route-table';

/** Settings a worker needs, sent by the primary as its first message (workers read no environment). */
export interface WorkerSettings {
  readonly id: string;
  /** 1-based, stable across restarts of the same slot (for logs). */
  readonly worker: number;
  readonly domain: string;
  readonly zone: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly logLevel: LogLevel;
  readonly accessLog: boolean;
}

/** One route document on the wire: znode name and its JSON text. */
export type WireDocument = readonly [name: string, data: string];

/** Primary → worker. */
export type ToWorker =
  | { readonly type: 'configure'; readonly settings: WorkerSettings }
  /** `full`: `upserts` is the complete set (replace everything); otherwise a delta. */
  | {
      readonly type: 'routes';
      readonly full: boolean;
      readonly upserts: readonly WireDocument[];
      readonly removals: readonly string[];
    }
  | { readonly type: 'collect-metrics'; readonly request: number }
  | { readonly type: 'metrics-text'; readonly request: number; readonly text: string }
  | { readonly type: 'drain' };

/** Worker → primary. */
export type FromWorker =
  /** The worker listens for messages: the primary may send `configure`. */
  | { readonly type: 'ready' }
  | { readonly type: 'listening'; readonly address: string; readonly port: number }
  | { readonly type: 'stats'; readonly requests: number; readonly inFlight: number }
  | { readonly type: 'metrics-wanted'; readonly request: number }
  | { readonly type: 'metrics-json'; readonly request: number; readonly metrics: unknown };

/** The route documents last sent to the workers, by znode name. */
export type SentDocuments = ReadonlyMap<string, string>;

/** A routes message and the state after it. */
export interface RouteDelta {
  readonly upserts: WireDocument[];
  readonly removals: string[];
  readonly next: Map<string, string>;
}

/** What changed between the documents last sent and `documents` (text compared, not identity). */
export function routeDelta(previous: SentDocuments, documents: Iterable<RouteDocument>): RouteDelta {
  const next = new Map<string, string>();
  const upserts: WireDocument[] = [];
  for (const { name, data } of documents) {
    const text = documentText(data);
    next.set(name, text);
    if (previous.get(name) !== text) upserts.push([name, text]);
  }
  const removals: string[] = [];
  for (const name of previous.keys()) if (!next.has(name)) removals.push(name);
  return { upserts, removals, next };
}

/** The full set of `sent` as wire documents (for a worker that just started). */
export function fullSet(sent: SentDocuments): WireDocument[] {
  return [...sent];
}

/** A document's data as text (an absent znode payload becomes '', which fails validation). */
function documentText(data: RouteDocument['data']): string {
  if (data === undefined) return '';
  return typeof data === 'string' ? data : data.toString('utf8');
}

/** Narrows an IPC message to a {@link FromWorker} (anything else is ignored). */
export function isFromWorker(message: unknown): message is FromWorker {
  return typeof message === 'object' && message !== null && typeof (message as FromWorker).type === 'string';
}

/** Narrows an IPC message to a {@link ToWorker}. */
export function isToWorker(message: unknown): message is ToWorker {
  return typeof message === 'object' && message !== null && typeof (message as ToWorker).type === 'string';
}
