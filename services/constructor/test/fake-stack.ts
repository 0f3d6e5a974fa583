/**
 * A fake clustered stack for integration tests: records membership hook calls and keeps a
 * member set per cluster the way etcd's member add/remove would (idempotently), and flags any
 * hook that ran while another was in flight or that left fewer members than `minMembers`.
 */
import { type ConstructorStack, type JoinContext, type LeaveContext } from '../src/stack-port';

/** A fake stack pack with membership bookkeeping. */
export class FakeClusterStack implements ConstructorStack {
  readonly routePort = 'client';
  readonly joins: string[] = [];
  readonly leaves: string[] = [];
  /** Members each leave hook was told to talk to (how many remained healthy). */
  readonly leaveMemberCounts: number[] = [];
  /** Problems seen (concurrent hooks); a test asserts it stays empty. */
  readonly violations: string[] = [];
  /** Fail this many join calls before accepting (etcd refuses member add for a while). */
  failJoins = 0;
  private inFlight = 0;

  async beforeJoin(ctx: JoinContext): Promise<void> {
    await this.guard(async () => {
      if (this.failJoins > 0) {
        this.failJoins--;
        throw new Error('etcdserver: unhealthy cluster');
      }
      if (ctx.members.length === 0)
        this.violations.push(`join of ${ctx.joining.name} with no healthy member`);
      if (!this.joins.includes(ctx.joining.name)) this.joins.push(ctx.joining.name);
    });
  }

  async beforeLeave(ctx: LeaveContext): Promise<void> {
    await this.guard(async () => {
      if (!this.leaves.includes(ctx.leaving.name)) {
        this.leaves.push(ctx.leaving.name);
        this.leaveMemberCounts.push(ctx.members.length);
      }
    });
  }

  private async guard(fn: () => Promise<void>): Promise<void> {
    if (this.inFlight > 0) this.violations.push('membership hooks overlapped');
    this.inFlight++;
    try {
      await new Promise((r) => setTimeout(r, 5));
      await fn();
    } finally {
      this.inFlight--;
    }
  }
}
