/**
 * Answers the api's log requests (`/log-requests/<this allocator>/req-<seq>`, see `@wharf/model`
 * `schemas/instance-logs.ts`): for each request not answered yet, the tail of the instance's
 * combined stdout/stderr as the runtime keeps it (the process runtime's log file in the instance
 * directory, or `docker logs`), bounded to 512 KiB, written back into the request znode,
 * conditional on its version (a request the api already gave up on and deleted is skipped).
 *
 * Why a watch (a {@link TreeCache}) rather than a poll: an operator waits on the answer, and an
 * idle allocator should cost ZooKeeper nothing. The request must name an instance this allocator
 * runs for the deployment it names: the allocator checks that itself, not only the api.
 *
 * States: created → running (`start`) → closed (`close`, idempotent).
 */
import { boundLogText, isWharfError, parseDocument, paths, type LogRequest } from '@wharf/model';
import { type Logger } from '@wharf/observability';
import { type ContainerRuntime } from '@wharf/runtime';
import { DocumentStore, TreeCache, type ZkNode, type ZkSession } from '@wharf/zk';
import { containerName } from './containers';

/** Dependencies of a {@link LogRequestAnswerer}. */
export interface LogRequestDeps {
  zk: ZkSession;
  runtime: Pick<ContainerRuntime, 'logs'>;
  allocatorId: string;
  logger: Logger;
  /** The deployment an instance placed here belongs to, or undefined when it is not placed here. */
  deploymentOf(instanceId: string): string | undefined;
  now(): number;
}

/** Starts answering `allocatorId`'s log requests for the instances in `records`. */
export async function startLogRequests(
  deps: { zk: ZkSession; runtime: Pick<ContainerRuntime, 'logs'>; clock?: { now(): number } },
  allocatorId: string,
  records: ReadonlyMap<string, { deploymentId: string }>,
  logger: Logger,
): Promise<LogRequestAnswerer> {
  const answerer = new LogRequestAnswerer({
    zk: deps.zk,
    runtime: deps.runtime,
    allocatorId,
    logger: logger.child({ component: 'log-requests' }),
    deploymentOf: (instance) => records.get(instance)?.deploymentId,
    now: () => deps.clock?.now() ?? Date.now(),
  });
  await answerer.start();
  return answerer;
}

/** Watches this allocator's log requests and answers them. */
export class LogRequestAnswerer {
  private cache: TreeCache | undefined;
  private readonly docs: DocumentStore;
  /** Requests being answered, so a burst of watch events answers each once. */
  private readonly answering = new Set<string>();
  private closed = false;

  constructor(private readonly deps: LogRequestDeps) {
    this.docs = new DocumentStore(deps.zk, { logger: deps.logger });
  }

  async start(): Promise<void> {
    const root = paths.logRequests(this.deps.allocatorId);
    await this.deps.zk.mkdirp(root);
    const cache = new TreeCache(this.deps.zk, root, { depth: 1 });
    this.cache = cache;
    const onNodes = (nodes: ReadonlyMap<string, ZkNode>) => {
      for (const [path, node] of nodes) if (path !== root) this.consider(path, node);
    };
    cache.on('initialized', onNodes);
    cache.on('changed', onNodes);
    await cache.start();
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.cache?.close();
  }

  private consider(path: string, node: ZkNode): void {
    if (this.closed || this.answering.has(path)) return;
    let request: LogRequest;
    try {
      request = parseDocument('log-request', node.data);
    } catch (err) {
      this.deps.logger.warn('bad log request skipped', { path, err });
      return;
    }
    if (request.answer !== undefined) return;
    this.answering.add(path);
    this.answer(path, request, node.stat.version)
      .catch((err: unknown) => {
        if (!isWharfError(err, 'WHARF_ZK_NO_NODE', 'WHARF_ZK_BAD_VERSION'))
          this.deps.logger.warn('log request not answered', { path, err });
      })
      .finally(() => this.answering.delete(path));
  }

  private async answer(path: string, request: LogRequest, version: number): Promise<void> {
    const answered = new Date(this.deps.now()).toISOString();
    let answer: NonNullable<LogRequest['answer']>;
    if (this.deps.deploymentOf(request.instance_id) !== request.deployment_id) {
      answer = { answered, truncated: false, error: 'unknown instance' };
    } else {
      try {
        const raw = await this.deps.runtime.logs(containerName(this.deps.allocatorId, request.instance_id), {
          tail: request.tail,
        });
        answer = { answered, ...boundLogText(raw) };
      } catch (err) {
        answer = { answered, truncated: false, error: 'the runtime could not read the log' };
        this.deps.logger.warn('instance log not read', { instance: request.instance_id, err });
      }
    }
    await this.docs.set('log-request', path, { ...request, answer }, version);
    this.deps.logger.debug('log request answered', { instance: request.instance_id, tail: request.tail });
  }
}
