/**
 * The director's enrolment endpoint: HTTPS (TLS 1.2+) with a server certificate from the
 * director's own CA, so a joining host that pinned the CA's fingerprint can trust it before it has
 * any certificate. `GET /ca` answers the CA certificate (PEM), `POST /enrol` runs an enrolment,
 * `POST /renew` renews the client certificate the caller connected with (mutual TLS: the server
 * asks for a client certificate but lets the handshake through without one, for enrolment).
 * Refusals are `{ error: { code, message, details } }` with the code's status.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { type TLSSocket } from 'node:tls';
import { WharfError, isWharfError } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { CA_PATH, ENROL_PATH, RENEW_PATH, type EnrolResponse } from '@wharf/pki';
import { parseEnrolRequest, type ParsedEnrolRequest } from './enrol-request';
import { parseRenewRequest, peerIdentity, type ParsedRenewRequest } from './renew-request';

/** Largest request body read: CSRs for every role fit in a few KB. */
export const MAX_BODY_BYTES = 64 * 1024;
/**
 * Enrolments served at once: each costs an scrypt hash (tens of ms, 64 MB) and an RSA signature
 * per role; more than a handful at once is a flood, answered 429.
 */
export const MAX_CONCURRENT_ENROLMENTS = 4;
/** A client gets this long to send its whole request (slowloris guard). */
const REQUEST_TIMEOUT_MS = 10_000;

/** What the server needs. */
export interface EnrolServerOptions {
  readonly host: string;
  readonly port: number;
  readonly cert: string;
  readonly key: string;
  readonly caPem: string;
  readonly enrol: (request: ParsedEnrolRequest) => Promise<EnrolResponse>;
  /** Signs a renewal whose caller is already authenticated by its certificate. */
  readonly renew: (request: ParsedRenewRequest) => Promise<EnrolResponse>;
  /** Called once per enrolment or renewal with its outcome (metrics). */
  readonly onResult?: (result: 'ok' | 'refused' | 'error') => void;
  readonly logger: Logger;
}

/** A listening enrolment server. */
export interface EnrolServer {
  readonly address: AddressInfo;
  /** Serves a new certificate from the next handshake on (`setSecureContext`: no restart). */
  setCertificate(cert: string, key: string): void;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse, options: EnrolServerOptions) => Promise<void>;

/** Starts the HTTPS enrolment server; resolves once it listens. */
export async function startEnrolServer(options: EnrolServerOptions): Promise<EnrolServer> {
  let inFlight = 0;
  const context = (cert: string, key: string) => ({
    cert,
    key,
    ca: options.caPem,
    requestCert: true,
    // Enrolment comes without a certificate; /renew checks the peer itself (renew-request.ts).
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2' as const,
  });
  const handlers: Record<string, Handler> = { [ENROL_PATH]: handleEnrol, [RENEW_PATH]: handleRenew };
  const server: Server = createServer(context(options.cert, options.key), (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const handler = handlers[path];
    if (path === CA_PATH && req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' }).end(options.caPem);
    } else if (handler !== undefined && req.method === 'POST') {
      if (inFlight >= MAX_CONCURRENT_ENROLMENTS) {
        sendError(res, new WharfError('WHARF_RATE_LIMITED', 'too many enrolments at once; retry'));
        return;
      }
      inFlight++;
      void handler(req, res, options).finally(() => inFlight--);
    } else if (path === CA_PATH || handler !== undefined) {
      sendError(res, new WharfError('WHARF_METHOD_NOT_ALLOWED', `method ${req.method ?? ''} not allowed`));
    } else {
      sendError(res, new WharfError('WHARF_NOT_FOUND', 'not found'));
    }
  });
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.headersTimeout = REQUEST_TIMEOUT_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    address: server.address() as AddressInfo,
    setCertificate: (cert, key) => server.setSecureContext(context(cert, key)),
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

async function handleEnrol(
  req: IncomingMessage,
  res: ServerResponse,
  options: EnrolServerOptions,
): Promise<void> {
  let request: ParsedEnrolRequest | undefined;
  try {
    request = parseEnrolRequest(await readJson(req));
    const response = await options.enrol(request);
    options.onResult?.('ok');
    options.logger.info('host enrolled', { host: request.hostId, services: request.services });
    send(res, 201, response);
  } catch (err) {
    refuse(res, options, err, request?.hostId);
  }
}

async function handleRenew(
  req: IncomingMessage,
  res: ServerResponse,
  options: EnrolServerOptions,
): Promise<void> {
  let hostId: string | undefined;
  try {
    const identity = peerIdentity(req.socket as TLSSocket, options.caPem, new Date());
    hostId = identity.hostId;
    const request = parseRenewRequest(await readJson(req), identity);
    const response = await options.renew(request);
    options.onResult?.('ok');
    options.logger.info('certificate renewed', { host: hostId, service: request.service });
    send(res, 201, response);
  } catch (err) {
    refuse(res, options, err, hostId);
  }
}

function refuse(
  res: ServerResponse,
  options: EnrolServerOptions,
  err: unknown,
  hostId: string | undefined,
): void {
  // A refusal of the request (4xx) goes back as it is; ZooKeeper's own errors (NoAuth is a 403
  // too) are the director's problem, not the host's: logged, answered 500.
  const coded = isWharfError(err) && err.status < 500 && !err.code.startsWith('WHARF_ZK_');
  options.onResult?.(coded ? 'refused' : 'error');
  // The host id only once validated; never the token or the body.
  const meta = { host: hostId, code: isWharfError(err) ? err.code : undefined };
  if (coded) options.logger.warn('enrolment refused', { ...meta, reason: (err as WharfError).message });
  else options.logger.error('enrolment failed', { ...meta, err });
  sendError(res, coded ? err : new WharfError('WHARF_INTERNAL', 'enrolment failed'));
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      // Past the limit the rest is read and dropped, so the 413 still reaches the client.
      if (size > MAX_BODY_BYTES)
        reject(new WharfError('WHARF_PAYLOAD_TOO_LARGE', `body over ${MAX_BODY_BYTES} bytes`));
      else chunks.push(chunk);
    });
    req.on('error', reject);
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        const message = 'body is not JSON';
        reject(new WharfError('WHARF_BAD_REQUEST', message, { details: [{ path: 'body', message }] }));
      }
    });
  });
}

function sendError(res: ServerResponse, err: WharfError): void {
  send(res, err.status, { error: { code: err.code, message: err.message, details: err.details ?? [] } });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}
