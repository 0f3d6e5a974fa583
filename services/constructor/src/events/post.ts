/** One webhook POST over node:http(s): never throws, never follows a redirect, bounded in time. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** The outcome of one POST. */
export type PostResult = { ok: true; status: number } | { ok: false; error: string };

/** Most bytes of a receiver's answer read (its body is ignored; this only drains the socket). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** POSTs `body` to `url`; a 2xx answer is a delivery, anything else (3xx included) a failure. */
export function postJson(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: PostResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      done({ ok: false, error: 'invalid url' });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        },
        timeout: timeoutMs,
      },
      (res) => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > MAX_ANSWER_BYTES) res.destroy();
        });
        const status = res.statusCode ?? 0;
        const finish = () =>
          done(status >= 200 && status < 300 ? { ok: true, status } : { ok: false, error: `HTTP ${status}` });
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)));
    // The error's message names the failure (ECONNREFUSED, a timeout); the url is not repeated.
    req.on('error', (err: NodeJS.ErrnoException) => done({ ok: false, error: err.code ?? err.message }));
    req.end(body);
  });
}
