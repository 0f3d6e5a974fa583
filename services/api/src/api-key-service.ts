/**
 * What the API key routes do: create (the key is shown once; only its scrypt hash is stored, as
 * for the bootstrap key), list (never hashes or secrets) and revoke (refused when it would leave
 * no key that never expires). Every check runs before the write.
 */
import { WharfError, isWharfError, type ApiKeyRecord } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { generateApiKey } from './auth/api-key';
import { type Clock } from './clock';
import {
  MAX_API_KEYS,
  apiKeyView,
  compareKeys,
  expiryOf,
  parseApiKeyRequest,
  revocationBlocker,
} from './domain/api-keys';
import { type ServiceResponse } from './http/send';
import { type KeyStore } from './store/types';

/** Fresh ids tried when a generated key id is taken (48 random bits: never, in practice). */
const MAX_ID_ATTEMPTS = 3;

/** Dependencies of an {@link ApiKeyService}. */
export interface ApiKeyServiceDeps {
  keys: KeyStore;
  clock: Clock;
  logger: Logger;
  /** Called after a key is deleted: drops this process's cached verifications of it. */
  onRevoked: (keyId: string) => void;
  /** Checks a new key's organization exists; without it, keys cannot name one. */
  organizations?: { get(id: string, field?: string): Promise<unknown> };
}

/** `POST`, `GET` and `DELETE .../platform/configuration/security/api-keys`. */
export class ApiKeyService {
  constructor(private readonly deps: ApiKeyServiceDeps) {}

  /** Creates a key; the 201 body is the only place the key ever appears. */
  async create(body: Record<string, unknown>, createdBy: string | undefined): Promise<ServiceResponse> {
    const request = parseApiKeyRequest(body);
    if (request.organizationId !== undefined) {
      if (!this.deps.organizations)
        throw new WharfError('WHARF_VALIDATION', 'organizations are not served by this api', {
          details: [{ path: 'organization_id', message: 'not supported here' }],
        });
      await this.deps.organizations.get(request.organizationId, 'organization_id');
    }
    if ((await this.deps.keys.count()) >= MAX_API_KEYS) {
      throw new WharfError('WHARF_CONFLICT', `at most ${MAX_API_KEYS} API keys`, {
        details: [{ path: 'body', message: `the installation already has ${MAX_API_KEYS} API keys` }],
      });
    }
    for (let attempt = 1; ; attempt++) {
      const now = new Date(this.deps.clock.now());
      const generated = await generateApiKey(request.description, now, request.roles);
      const expires = expiryOf(request, now);
      const record: ApiKeyRecord = {
        ...generated.record,
        ...(expires === undefined ? {} : { expires }),
        ...(request.organizationId === undefined ? {} : { organization_id: request.organizationId }),
      };
      try {
        await this.deps.keys.create(record);
      } catch (err) {
        if (!isWharfError(err, 'WHARF_ZK_NODE_EXISTS') || attempt >= MAX_ID_ATTEMPTS) throw err;
        continue;
      }
      this.deps.logger.info('api key created', { keyId: record.id, createdBy, expires, roles: record.roles });
      return {
        status: 201,
        body: {
          id: record.id,
          key: generated.key,
          description: record.name,
          created: record.created,
          ...(expires === undefined ? {} : { expires }),
          roles: record.roles,
          ...(record.organization_id === undefined ? {} : { organization_id: record.organization_id }),
        },
      };
    }
  }

  /** Every key, oldest first, without hashes or secrets. */
  async list(): Promise<ServiceResponse> {
    const now = this.deps.clock.now();
    const records = (await this.deps.keys.list()).sort(compareKeys);
    return { status: 200, body: { keys: records.map((r) => apiKeyView(r, now)) } };
  }

  /** Deletes a key; it is refused on its next request. */
  async revoke(keyId: string, revokedBy: string | undefined): Promise<ServiceResponse> {
    const deleted = await this.deps.keys.revoke(keyId, (target, others) =>
      revocationBlocker(keyId, target, others),
    );
    if (!deleted) {
      throw new WharfError('WHARF_NOT_FOUND', `API key ${keyId} not found`, {
        details: [{ path: 'id', message: 'no such API key' }],
      });
    }
    this.deps.onRevoked(keyId);
    this.deps.logger.info('api key revoked', { keyId, revokedBy });
    return { status: 200, body: { id: keyId, revoked: true } };
  }
}
