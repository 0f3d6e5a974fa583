/**
 * A ZooKeeper client that keeps writing while an ensemble changes under it (a member removed, a
 * member restarted with a new certificate), counting the writes that failed. Bounded: one write
 * at a time every {@link WRITE_INTERVAL_MS}, until stopped.
 */
import { ZkSession, type ZkTlsOptions } from '@wharf/zk';

/** Between two writes: ~20 a second, enough to see a gap of a few hundred ms. */
export const WRITE_INTERVAL_MS = 50;

/** What a {@link ZkWriter} saw. */
export interface WriteCounts {
  ok: number;
  failed: number;
  /** The first few failures' codes/messages. */
  errors: string[];
}

/** Writes `/<prefix>-<n>` nodes through a session on `connectString` until {@link ZkWriter.stop}. */
export class ZkWriter {
  readonly counts: WriteCounts = { ok: 0, failed: 0, errors: [] };
  private session: ZkSession;
  private running = false;
  private loop: Promise<void> = Promise.resolve();

  constructor(
    connectString: string,
    private readonly prefix: string,
    tls?: ZkTlsOptions,
  ) {
    this.session = new ZkSession({ connectString, ...(tls === undefined ? {} : { tls }) });
  }

  async start(): Promise<void> {
    await this.session.start();
    await this.session.create(`/${this.prefix}`, 'x').catch(() => undefined);
    this.running = true;
    this.loop = this.run();
  }

  /** Stops writing and returns the counts. */
  async stop(): Promise<WriteCounts> {
    this.running = false;
    await this.loop;
    await this.session.close().catch(() => undefined);
    return this.counts;
  }

  private async run(): Promise<void> {
    let n = 0;
    while (this.running) {
      try {
        await this.session.create(`/${this.prefix}/w-${(n += 1)}`, 'x');
        this.counts.ok += 1;
      } catch (err) {
        this.counts.failed += 1;
        if (this.counts.errors.length < 5) this.counts.errors.push(String((err as Error).message));
      }
      await new Promise((r) => setTimeout(r, WRITE_INTERVAL_MS));
    }
  }
}
