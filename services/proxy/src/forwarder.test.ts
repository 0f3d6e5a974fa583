import type { IncomingMessage } from 'node:http';
import { isRetryable } from './forwarder';

const req = (method: string, headers: Record<string, string> = {}) =>
  ({ method, headers }) as IncomingMessage;

describe('isRetryable', () => {
  it.each(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE'])('retries a body-less %s', (method) => {
    expect(isRetryable(req(method))).toBe(true);
    expect(isRetryable(req(method, { 'content-length': '0' }))).toBe(true);
  });

  it.each(['POST', 'PATCH', 'CONNECT'])('never retries %s', (method) => {
    expect(isRetryable(req(method))).toBe(false);
  });

  it('never retries a request with a body, whatever the method', () => {
    expect(isRetryable(req('PUT', { 'content-length': '12' }))).toBe(false);
    expect(isRetryable(req('DELETE', { 'transfer-encoding': 'chunked' }))).toBe(false);
    expect(isRetryable(req('GET', { 'content-length': '1' }))).toBe(false);
  });
});
