/**
 * etcd auth tokens for one hook call. etcd 3.4 answers `/health`, `member list` and `maintenance
 * status` without a token, but with authentication on it refuses every key, auth, snapshot,
 * `member add/remove` and `move-leader` request without one ("user name is empty"): the
 * platform's hooks authenticate as the platform user. A cluster with authentication off (a
 * deployment created before credentials existed, or one not yet secured) answers "authentication
 * is not enabled": the session then sends no token, until a refusal says it was turned on.
 */
import { WharfError } from '@wharf/model';
import { type StackCredentials } from '../credentials';
import { type HookOptions } from '../types';
import { etcdErrorOf, etcdRawCall, type EtcdAuth } from './api';

const AUTH_OFF = /authentication is not enabled/;

/** Tokens per member base URL, from one set of credentials; lives as long as one hook call. */
export class EtcdAuthSession implements EtcdAuth {
  /** Base URL → token; null: that member said authentication is off. */
  private readonly tokens = new Map<string, string | null>();

  constructor(private readonly credentials: StackCredentials) {}

  async tokenFor(base: string, timeoutMs: number): Promise<string | undefined> {
    const known = this.tokens.get(base);
    if (known !== undefined) return known ?? undefined;
    const token = await this.authenticate(base, timeoutMs);
    this.tokens.set(base, token);
    return token ?? undefined;
  }

  forget(base: string): void {
    this.tokens.delete(base);
  }

  /** A fresh token from `base`; null when authentication is off there. */
  async authenticate(base: string, timeoutMs: number): Promise<string | null> {
    const { username, password } = this.credentials;
    try {
      const answer = await etcdRawCall(
        base,
        '/v3/auth/authenticate',
        { name: username, password },
        timeoutMs,
      );
      if (typeof answer.token !== 'string' || answer.token === '') {
        throw new WharfError('WHARF_STACK_ERROR', 'etcd authenticate returned no token', {
          details: { url: base, user: username },
        });
      }
      return answer.token;
    } catch (err) {
      if (AUTH_OFF.test(etcdErrorOf(err) ?? '')) return null;
      throw err;
    }
  }
}

/** A session for the platform credentials in `options`, if any. */
export function etcdAuthOf(options: HookOptions | undefined): EtcdAuthSession | undefined {
  return options?.credentials ? new EtcdAuthSession(options.credentials) : undefined;
}
