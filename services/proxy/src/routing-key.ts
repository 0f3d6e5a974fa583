/**
 * Which deployment a request is for. `X-Wharf-Deployment` wins (a load balancer that rewrites
 * URLs sets it, like ECE's `X-Found-Cluster`); otherwise the first label of `Host: <id>.<domain>`.
 * Pure: headers and the configured domain in, a tagged result out.
 */
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { isValidId } from '@wharf/model';

/** The header that names the deployment explicitly (lowercase, as Node exposes it). */
export const DEPLOYMENT_HEADER = 'x-wharf-deployment';

/** The routing key of a request. */
export type RoutingKey =
  | { readonly kind: 'deployment'; readonly deploymentId: string; readonly source: 'header' | 'host' }
  /** The request names no deployment: it is for the proxy itself (`/_health`, `/_metrics`). */
  | { readonly kind: 'none' }
  /** The request names something that cannot be a deployment id. */
  | { readonly kind: 'invalid'; readonly source: 'header' | 'host'; readonly value: string };

const NONE: RoutingKey = Object.freeze({ kind: 'none' });

/** Longest value echoed back in an error: enough to recognise, bounded for hostile input. */
const MAX_ECHOED_LENGTH = 80;

/**
 * The routing key of a request with these headers, for a proxy serving `*.<domain>`.
 * `domain` must already be lowercase without a trailing dot (see `normaliseDomain`).
 */
export function routingKeyOf(headers: IncomingHttpHeaders, domain: string): RoutingKey {
  const explicit = headers[DEPLOYMENT_HEADER];
  if (typeof explicit === 'string' && explicit.length > 0) {
    const id = explicit.trim().toLowerCase();
    return isValidId(id as unknown)
      ? { kind: 'deployment', deploymentId: id, source: 'header' }
      : { kind: 'invalid', source: 'header', value: explicit.slice(0, MAX_ECHOED_LENGTH) };
  }
  // HTTP/2 clients name the host in `:authority` (RFC 9113 §8.3.1) and usually send no `Host`.
  const host = headers.host ?? (headers[':authority'] as string | undefined);
  if (host === undefined || host.length === 0) return NONE;
  const label = firstLabelUnder(hostnameOf(host), domain);
  if (label === undefined) return NONE;
  // `as unknown`: a failed type guard would narrow a string to `never` in the other branch.
  return isValidId(label as unknown)
    ? { kind: 'deployment', deploymentId: label, source: 'host' }
    : { kind: 'invalid', source: 'host', value: label.slice(0, MAX_ECHOED_LENGTH) };
}

/**
 * The routing key of a request as received: {@link routingKeyOf} on its headers, and when those
 * name nothing (a client that connected by IP address), the TLS server name (SNI) it asked for.
 * SNI never overrides a `Host` that names a deployment: both are the client's word, and the
 * plain port routes by `Host` alone, so the two ports route alike.
 */
export function routingKeyOfRequest(req: IncomingMessage, domain: string): RoutingKey {
  const key = routingKeyOf(req.headers, domain);
  if (key.kind !== 'none') return key;
  const servername = (req.socket as TLSSocket | undefined)?.servername;
  return typeof servername === 'string' && servername.length > 0
    ? routingKeyOf({ host: servername }, domain)
    : key;
}

/** Lowercase, without a trailing dot: the form {@link routingKeyOf} expects. */
export function normaliseDomain(domain: string): string {
  return domain.trim().toLowerCase().replace(/\.$/, '');
}

/** `Host` value → lowercase host name without port or trailing dot (`[::1]:9200` → `[::1]`). */
export function hostnameOf(host: string): string {
  let name = host.trim().toLowerCase();
  if (name.startsWith('[')) {
    const end = name.indexOf(']');
    return end === -1 ? name : name.slice(0, end + 1);
  }
  const colon = name.indexOf(':');
  if (colon !== -1) name = name.slice(0, colon);
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

/**
 * The single label in front of `.<domain>`, or `undefined` when the host is not a direct child of
 * the domain (the domain itself, an IP address, another site, or a deeper name like `a.b.<domain>`).
 */
function firstLabelUnder(hostname: string, domain: string): string | undefined {
  const suffix = `.${domain}`;
  if (!hostname.endsWith(suffix)) return undefined;
  const label = hostname.slice(0, hostname.length - suffix.length);
  if (label.length === 0 || label.includes('.')) return undefined;
  return label;
}
