/**
 * A `fetch` that trusts one CA: what the CLI, `wharf up`'s readiness checks and the tests use to
 * talk to an api serving HTTPS with a certificate from the installation's CA (`wharf up
 * --secure`). Node's global `fetch` takes no CA option, and `NODE_TLS_REJECT_UNAUTHORIZED=0`
 * would trust anybody; this sends `https:` requests through `https.request` with `ca` (and the
 * usual host-name check), buffers the answer and returns a standard `Response`. `http:` URLs go
 * to the global `fetch` unchanged, so one client serves both modes.
 *
 * A server whose certificate does not chain to the CA (or does not name the host) fails at once
 * with WHARF_PKI_UNTRUSTED naming the CA, instead of a bare `fetch failed`.
 */
import { request } from 'node:https';
import { type IncomingMessage } from 'node:http';
import { WharfError } from '@wharf/model';

/** Give-up time of a request sent without an `AbortSignal`: no caller waits forever. */
export const CA_FETCH_DEFAULT_TIMEOUT_MS = 30_000;

/** Options of {@link createCaFetch}. */
export interface CaFetchOptions {
  /** PEM certificate(s) of the CA to trust (only these: not the system's roots). */
  readonly ca: string;
  /** Where the CA came from (a file, `WHARF_API_CA`), named in trust errors. */
  readonly caSource?: string;
}

/** TLS verification failures from Node (OpenSSL codes, and the host-name check). */
const TRUST_ERRORS: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'INVALID_PURPOSE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Statuses whose `Response` must have a null body. */
const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 204, 205, 304]);

/** A `fetch` for `https:` URLs that trusts `options.ca` only (and `http:` through the global fetch). */
export function createCaFetch(options: CaFetchOptions): typeof fetch {
  const caFetch = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (input instanceof Request) throw new TypeError('caFetch: pass a URL and options, not a Request');
    const url = new URL(input);
    if (url.protocol !== 'https:') return fetch(url, init);
    return httpsRequest(url, init, options);
  };
  return caFetch as typeof fetch;
}

function httpsRequest(url: URL, init: RequestInit, options: CaFetchOptions): Promise<Response> {
  const signal = init.signal ?? AbortSignal.timeout(CA_FETCH_DEFAULT_TIMEOUT_MS);
  const body = bodyOf(init.body);
  const headers = Object.fromEntries(new Headers(init.headers ?? {}).entries());
  if (body !== undefined) headers['content-length'] = String(body.length);
  return new Promise<Response>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const req = request(
      url,
      { method: init.method ?? 'GET', headers, ca: options.ca, minVersion: 'TLSv1.2', signal },
      (res) => {
        collect(res).then((buffer) => resolve(toResponse(res, buffer)), reject);
      },
    );
    req.on('error', (err: Error) =>
      reject(signal.aborted ? (signal.reason as Error) : trustError(err, url, options)),
    );
    req.end(body);
  });
}

function bodyOf(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  throw new TypeError('caFetch: only string or byte bodies are supported');
}

function collect(res: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
  });
}

function toResponse(res: IncomingMessage, buffer: Buffer): Response {
  const status = res.statusCode ?? 0;
  const headers = new Headers();
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  return new Response(NULL_BODY_STATUSES.has(status) ? null : buffer, {
    status,
    statusText: res.statusMessage ?? '',
    headers,
  });
}

/** A certificate problem as WHARF_PKI_UNTRUSTED naming the CA; anything else as it came. */
function trustError(err: Error, url: URL, options: CaFetchOptions): Error {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  if (!TRUST_ERRORS.has(code)) return err;
  const source = options.caSource === undefined ? 'the given CA' : `the CA in ${options.caSource}`;
  return new WharfError(
    'WHARF_PKI_UNTRUSTED',
    `the certificate of ${url.origin} is not trusted by ${source}: ${code} (${err.message})`,
    { details: { url: url.origin, reason: code, ca: options.caSource ?? null }, cause: err },
  );
}
