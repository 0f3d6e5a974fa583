/**
 * The constructor's typed document store (`@wharf/zk` `DocumentStore`) over its ZooKeeper port:
 * every write is validated and conditional on a version unless it creates the node or is a route
 * (only the constructor writes those); a bad document from another service is logged once.
 */
import { type Logger } from '@wharf/observability';
import { DocumentStore } from '@wharf/zk';
import { type ZkPort } from './zk-port';

/** A document store over a {@link ZkPort}. */
export type ConstructorDocuments = DocumentStore<{ readonly version: number }, unknown[]>;

/** One store per port, so a bad znode read on every pass is reported once, not every pass. */
const stores = new WeakMap<ZkPort, ConstructorDocuments>();

/**
 * The document store over `zk`. Bad documents are reported through the logger given when the
 * store was first asked for (the constructor's root logger: the path is in every report).
 */
export function documentsOf(zk: ZkPort, logger?: Logger): ConstructorDocuments {
  let store = stores.get(zk);
  if (store === undefined) {
    store = new DocumentStore(zk, logger === undefined ? {} : { logger });
    stores.set(zk, store);
  }
  return store;
}
