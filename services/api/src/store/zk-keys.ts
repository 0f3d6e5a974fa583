/** API key records in ZooKeeper (`/platform/security/api-keys/<keyId>`). */
import { parseDocument, paths, type ApiKeyRecord } from '@wharf/model';
import { type ZkSession } from '@wharf/zk';
import { type KeyStore } from './types';
import { corrupt, orUndefined } from './zk-errors';

/** {@link KeyStore} over a ZooKeeper session. */
export class ZkKeyStore implements KeyStore {
  constructor(private readonly zk: ZkSession) {}

  async get(keyId: string): Promise<ApiKeyRecord | undefined> {
    const path = paths.apiKey(keyId);
    const node = await orUndefined(() => this.zk.get(path));
    if (node === undefined) return undefined;
    try {
      return parseDocument('api-key', node.data);
    } catch (err) {
      throw corrupt(path, err);
    }
  }
}
