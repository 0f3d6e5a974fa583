/**
 * Header rewriting for one proxy hop, on Node's raw header lists (`[name, value, name, value…]`).
 * Working on the raw lists keeps every header's case, order and repetitions, and lets the forwarder
 * hand Node arrays it writes out as they are (no per-header `setHeader` validation and no header
 * objects on the hot path). Pure: lists in, a new list out.
 */

/** Response header naming the instance that handled the request (ECE `X-Found-Handling-Instance`). */
export const HANDLING_INSTANCE_HEADER = 'x-wharf-handling-instance';
/** Response header naming the deployment that handled the request (ECE `X-Found-Handling-Cluster`). */
export const HANDLING_DEPLOYMENT_HEADER = 'x-wharf-handling-deployment';

/** What the proxy knows about the client side of the hop. */
export interface ClientHop {
  /** The client's address (appended to `X-Forwarded-For`). */
  readonly remoteAddress: string;
  /** `https` when the client connection is TLS. */
  readonly proto: 'http' | 'https';
}

/**
 * The headers sent to the instance: the client's, minus hop-by-hop ones (`Connection`, the headers
 * it names, `Keep-Alive`, `Proxy-Connection`, `Upgrade`, `Trailer`), with `X-Forwarded-For`
 * appended to and `X-Forwarded-Proto`/`-Host` added unless a load balancer in front set them.
 * `Host` is kept. `Connection` to the instance is the agent's (keep-alive).
 */
export function upstreamRequestHeaders(raw: readonly string[], hop: ClientHop): string[] {
  const out: string[] = [];
  let named: Set<string> | undefined;
  let forwardedFor: string | undefined;
  let host: string | undefined;
  let hasProto = false;
  let hasForwardedHost = false;
  let authority: string | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    // An HTTP/2 client's pseudo-headers (`:method`, `:path`…; no HTTP/1 name starts with `:`):
    // the instance is spoken to in HTTP/1.1, where `:authority` is `Host`.
    if (name.charCodeAt(0) === COLON) {
      if (name === ':authority') authority = value;
      continue;
    }
    switch (name.length) {
      case 4:
        if (name.toLowerCase() === 'host') host ??= value;
        break;
      case 7: {
        const lower = name.toLowerCase();
        if (lower === 'upgrade' || lower === 'trailer') continue;
        break;
      }
      case 10: {
        const lower = name.toLowerCase();
        if (lower === 'keep-alive') continue;
        if (lower === 'connection') {
          named = connectionTokens(value, named);
          continue;
        }
        break;
      }
      case 15:
        if (name.toLowerCase() === 'x-forwarded-for') {
          forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
          continue;
        }
        break;
      case 16: {
        const lower = name.toLowerCase();
        if (lower === 'proxy-connection') continue;
        if (lower === 'x-forwarded-host') hasForwardedHost = true;
        break;
      }
      case 17:
        if (name.toLowerCase() === 'x-forwarded-proto') hasProto = true;
        break;
      default:
        break;
    }
    out.push(name, value);
  }
  if (host === undefined && authority !== undefined) {
    host = authority;
    out.push('host', authority);
  }
  const headers = named === undefined ? out : withoutNamed(out, named);
  headers.push('x-forwarded-for', forwardedFor ? `${forwardedFor}, ${hop.remoteAddress}` : hop.remoteAddress);
  if (!hasProto) headers.push('x-forwarded-proto', hop.proto);
  if (!hasForwardedHost) headers.push('x-forwarded-host', host ?? '');
  return headers;
}

/** `:` — the first character of an HTTP/2 pseudo-header name. */
const COLON = 58;

/**
 * Response headers HTTP/2 forbids (RFC 9113 §8.2.2: connection-specific); Node refuses to send a
 * response carrying any of them, so they are dropped for an HTTP/2 client.
 */
const H2_CONNECTION_HEADERS: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
]);

/** Options for {@link clientResponseHeaders}. */
export interface ResponseHop {
  readonly instanceId: string;
  readonly deploymentId: string;
  /** Ask the client to close its connection (the proxy is draining). */
  readonly close: boolean;
  /**
   * The client speaks HTTP/1.0: it cannot read a chunked body, so `Transfer-Encoding` is dropped
   * (Node then sends the body as is and ends it by closing the connection).
   */
  readonly http10: boolean;
  /** The client speaks HTTP/2: connection-specific headers are dropped, no `Connection: close`. */
  readonly h2?: boolean;
}

/**
 * The headers sent back to the client: the instance's, minus hop-by-hop ones (its `Connection`
 * and `Keep-Alive` describe the instance's connection to the proxy, not the client's), plus the
 * `X-Wharf-Handling-*` headers and `Connection: close` while draining.
 */
export function clientResponseHeaders(raw: readonly string[], hop: ResponseHop): string[] {
  if (hop.h2 === true) return h2ResponseHeaders(raw, hop);
  const out: string[] = [];
  let named: Set<string> | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const value = raw[i + 1]!;
    if (name.length === 10) {
      const lower = name.toLowerCase();
      if (lower === 'keep-alive') continue;
      if (lower === 'connection') {
        named = connectionTokens(value, named);
        continue;
      }
    } else if (name.length === 16 && name.toLowerCase() === 'proxy-connection') {
      continue;
    } else if (hop.http10 && name.length === 17 && name.toLowerCase() === 'transfer-encoding') {
      continue;
    }
    out.push(name, value);
  }
  const headers = named === undefined ? out : withoutNamed(out, named);
  headers.push(HANDLING_INSTANCE_HEADER, hop.instanceId, HANDLING_DEPLOYMENT_HEADER, hop.deploymentId);
  if (hop.close) headers.push('connection', 'close');
  return headers;
}

/** {@link clientResponseHeaders} for an HTTP/2 client (the rare path: no length switch). */
function h2ResponseHeaders(raw: readonly string[], hop: ResponseHop): string[] {
  const out: string[] = [];
  let named: Set<string> | undefined;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (lower === 'connection') named = connectionTokens(raw[i + 1]!, named);
    if (H2_CONNECTION_HEADERS.has(lower)) continue;
    out.push(lower, raw[i + 1]!);
  }
  const headers = named === undefined ? out : withoutNamed(out, named);
  headers.push(HANDLING_INSTANCE_HEADER, hop.instanceId, HANDLING_DEPLOYMENT_HEADER, hop.deploymentId);
  return headers;
}

/**
 * Header names a `Connection` value lists besides `close` and `keep-alive` (RFC 9110 §7.6.1: they
 * are hop-by-hop too). `undefined` in the common case, where there are none.
 */
function connectionTokens(value: string, into: Set<string> | undefined): Set<string> | undefined {
  let names = into;
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase();
    if (name === '' || name === 'close' || name === 'keep-alive') continue;
    (names ??= new Set()).add(name);
  }
  return names;
}

function withoutNamed(headers: readonly string[], named: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (!named.has(headers[i]!.toLowerCase())) out.push(headers[i]!, headers[i + 1]!);
  }
  return out;
}
