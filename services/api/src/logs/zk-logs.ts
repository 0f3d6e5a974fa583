/**
 * Instance logs through ZooKeeper (`@wharf/model` `schemas/instance-logs.ts`): find the allocator
 * an instance is placed on, leave it an ephemeral request, wait for its answer, delete the request.
 *
 * Why not an HTTP call to the allocator: services coordinate only through ZooKeeper, so the api
 * needs no allocator address, no credential for it and no route to it (allocators may sit behind
 * NAT), and ZooKeeper's ACLs already decide who may ask. The price — a few writes per request and
 * an answer bounded to 512 KiB — is fine for an operator reading a tail.
 */
import { isWharfError, paths, type InstanceSpec, type LogRequest } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { DocumentStore, type ZkSession } from '@wharf/zk';

/** How often the api re-reads a request for its answer: an allocator answers within a watch round trip. */
const ANSWER_POLL_MS = 50;

/** An allocator's answer. */
export type LogAnswer = NonNullable<LogRequest['answer']>;

/** What the log route needs. */
export interface LogStore {
  /** The allocator running the deployment's instance, or undefined when there is none. */
  locate(deploymentId: string, instanceId: string): Promise<string | undefined>;
  /** Asks `allocator` for the tail; undefined when it did not answer within `timeoutMs`. */
  request(allocator: string, request: LogRequest, timeoutMs: number): Promise<LogAnswer | undefined>;
}

/** {@link LogStore} over a ZooKeeper session. */
export class ZkLogStore implements LogStore {
  private readonly docs: DocumentStore;

  constructor(
    private readonly zk: ZkSession,
    private readonly logger: Logger,
  ) {
    this.docs = new DocumentStore(zk, { logger });
  }

  async locate(deploymentId: string, instanceId: string): Promise<string | undefined> {
    for (const allocator of await this.docs.readChildren(paths.allocators())) {
      const spec: InstanceSpec | undefined = (
        await this.docs.readOrSkip('instance-spec', paths.instanceSpec(allocator, instanceId))
      )?.value;
      if (spec?.deployment_id === deploymentId) return allocator;
    }
    return undefined;
  }

  async request(allocator: string, request: LogRequest, timeoutMs: number): Promise<LogAnswer | undefined> {
    await this.zk.mkdirp(paths.logRequests(allocator));
    // Ephemeral: an api that dies while waiting leaves no request behind.
    const path = await this.docs.create(
      'log-request',
      paths.logRequestPrefix(allocator),
      request,
      'ephemeral_sequential',
    );
    try {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const answer = (await this.docs.readOrSkip('log-request', path))?.value.answer;
        if (answer !== undefined) return answer;
        if (Date.now() >= deadline) return undefined;
        await new Promise((resolve) => setTimeout(resolve, ANSWER_POLL_MS));
      }
    } finally {
      await this.zk.delete(path).catch((err: unknown) => {
        if (!isWharfError(err, 'WHARF_ZK_NO_NODE'))
          this.logger.warn('log request not deleted', { path, err });
      });
    }
  }
}
