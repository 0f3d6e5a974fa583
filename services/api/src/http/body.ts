/** JSON request bodies: the parser with its size limit, and the check that a body is there. */
import express, { type Request, type RequestHandler } from 'express';
import { badRequest } from './errors';

/**
 * Largest request body. A deployment request is a few KB (at most 8 resources per stack × 16
 * topology elements); 256 KB leaves room for user settings while keeping hostile bodies cheap.
 */
export const MAX_BODY_BYTES = 256 * 1024;

/** Parses `application/json` bodies (objects and arrays only) up to {@link MAX_BODY_BYTES}. */
export function jsonBodyParser(): RequestHandler {
  return express.json({ limit: MAX_BODY_BYTES, strict: true, type: 'application/json' });
}

/** The parsed JSON object body; 400 when the request is not JSON or not an object. */
export function jsonObjectBody(req: Request): Record<string, unknown> {
  if (!req.is('application/json')) {
    throw badRequest('body', 'must be JSON (Content-Type: application/json)');
  }
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('body', 'must be a JSON object');
  }
  return body as Record<string, unknown>;
}
