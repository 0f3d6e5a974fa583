/** Service responses and how they are written. */
import { type Response } from 'express';

/** A response: status, JSON body and extra headers. */
export interface ServiceResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Sends status, headers and JSON body. */
export function send(res: Response, response: ServiceResponse): void {
  for (const [name, value] of Object.entries(response.headers ?? {})) res.setHeader(name, value);
  res.status(response.status).json(response.body);
}
