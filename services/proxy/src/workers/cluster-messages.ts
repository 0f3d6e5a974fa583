/**
 * What the proxy's primary and its workers say to each other over the cluster IPC channel, and
 * the pure helpers behind it. The primary owns the ZooKeeper session: it reads `/routes` once and
 * relays the documents to every worker as deltas (a new worker gets the full set, so one restarted
 * during a ZooKeeper outage still serves the last known routes); each worker builds its own table.
 * A worker that finds an instance down tells the primary, which holds it down, tells every worker
 * and runs the health checks that bring it back (`instance-health` messages).
 */
import type { LogLevel } from '@wharf/observability';
import type { DownInstance } from '../instance-health';
import type { RouteDocument } from '../route-table';
import type { WireTraffic } from '../traffic-meter';

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
  /** The TLS port and its certificate; the key stays on this host. */
  readonly tls?: ({ readonly port: number } & WireCertificate) | undefined;
}

/** A serving certificate on the wire (`notAfter`: ms since the epoch). */
export interface WireCertificate {
  readonly certPem: string;
  readonly keyPem: string;
  readonly notAfter: number;
}

/** A certificate (its `notAfter` a Date) as it goes on the wire. */
export function toWireCertificate(
  certificate: Omit<WireCertificate, 'notAfter'> & { notAfter: Date },
): WireCertificate {
  const { certPem, keyPem, notAfter } = certificate;
  return { certPem, keyPem, notAfter: notAfter.getTime() };
}

/** An instance held down, on the wire (`since`: ms since the epoch). */
export type WireDown = readonly [instanceId: string, host: string, port: number, since: number];

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
  /** Instances now held down (a worker's report, relayed to all) and those back up (health checks). */
  | { readonly type: 'instance-health'; readonly down: readonly WireDown[]; readonly up: readonly string[] }
  | { readonly type: 'drain' }
  /** The TLS port's certificate was renewed: serve this one to new connections. */
  | { readonly type: 'certificate'; readonly certificate: WireCertificate };

/** Worker → primary. */
export type FromWorker =
  /** The worker listens for messages: the primary may send `configure`. */
  | { readonly type: 'ready' }
  | { readonly type: 'listening'; readonly address: string; readonly port: number }
  | { readonly type: 'stats'; readonly requests: number; readonly inFlight: number }
  | { readonly type: 'metrics-wanted'; readonly request: number }
  | { readonly type: 'metrics-json'; readonly request: number; readonly metrics: unknown }
  /** This worker failed to connect to an instance (or had a connection reset): hold it down. */
  | { readonly type: 'instance-down'; readonly instance: WireDown; readonly reason: string }
  /** Traffic counted since the last report; the primary writes it (`traffic-flush.ts`). */
  | { readonly type: 'traffic'; readonly counts: WireTraffic };

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

/** A down instance as sent over IPC. */
export function toWire(instance: DownInstance): WireDown {
  return [instance.instanceId, instance.host, instance.port, instance.since];
}

/** A down instance received over IPC. */
export function fromWire([instanceId, host, port, since]: WireDown): DownInstance {
  return { instanceId, host, port, since };
}

/** Narrows an IPC message to a {@link FromWorker} (anything else is ignored). */
export function isFromWorker(message: unknown): message is FromWorker {
  return typeof message === 'object' && message !== null && typeof (message as FromWorker).type === 'string';
}

/** Narrows an IPC message to a {@link ToWorker}. */
export function isToWorker(message: unknown): message is ToWorker {
  return typeof message === 'object' && message !== null && typeof (message as ToWorker).type === 'string';
}
