/**
 * Detection and failover in seconds, with real processes against a real ZooKeeper ticking at
 * 500 ms as `wharf up`'s embedded one (so sessions are clamped to 1-10 s, as in production):
 * a SIGKILLed constructor leader is replaced by the standby's latch session expiring (2 s), not
 * the main session (10 s here); a SIGTERMed one hands off at once; a host whose liveness session
 * holder is SIGKILLed is unroutable within the 3 s liveness session plus the 1 s grace, not the old
 * 10 s session plus 15 s grace. A 1 s SIGSTOP triggers neither. Each test prints its figure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { parseDocument, paths } from '@wharf/model';
import { useZooKeeper, waitFor } from '@wharf/testkit';
import { DEFAULT_LEADER_SESSION_TIMEOUT_MS, type ZkSession } from '@wharf/zk';
import { createConstructor, type Constructor } from '../src/constructor';
import { DEFAULT_TIMING } from '../src/options';
import { type FakeAllocator } from './fake-allocator';
import { FakeClusterStack } from './fake-stack';
import { TcpGate } from './tcp-gate';
import { etcdPlanDoc } from './fixtures';
import {
  createDeployment,
  preparePlatform,
  readRoute,
  startAllocators,
  startConstructor,
  TEST_TIMING,
  waitForAttempt,
} from './harness';

jest.setTimeout(90_000);

const MAIN = join(__dirname, '..', 'dist', 'main.js');
/** `wharf up`'s embedded ZooKeeper tick: sessions negotiate within [1 s, 10 s]. */
const TICK_MS = 500;
/** The old paths: the main session (15 s asked, 10 s granted at this tick), plus a 15 s grace for routes. */
const OLD_FAILOVER_MS = 10_000;
const OLD_DETECTION_MS = 10_000 + 15_000;
const fixture = useZooKeeper({ tickTimeMs: TICK_MS });

interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
}

const procs: Proc[] = [];

function spawnNode(args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, {
    cwd: join(__dirname, '..'),
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'ignore', process.env.WHARF_TEST_LOG ? 'inherit' : 'ignore'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const proc = { child, exited };
  procs.push(proc);
  return proc;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

afterEach(async () => {
  for (const p of procs.splice(0)) {
    p.child.kill('SIGCONT');
    p.child.kill('SIGKILL');
    await p.exited;
  }
});

describe('constructor failover in seconds (real processes)', () => {
  let zk: ZkSession;

  beforeEach(async () => {
    zk = await fixture.session();
    await preparePlatform(zk);
  });

  function startProcess(id: string): Proc {
    return spawnNode([MAIN], {
      WHARF_ZK: fixture.connectString,
      WHARF_ZK_CHROOT: fixture.chroot,
      WHARF_ID: id,
      WHARF_LOG_LEVEL: 'warn',
    });
  }

  /** The constructor's own view (`/health` detail): leading, standby, … */
  async function stateOf(id: string): Promise<string | undefined> {
    const node = await zk.get(paths.serviceLive('constructor', id)).catch(() => undefined);
    if (!node) return undefined;
    const { port } = parseDocument('service-registration', node.data);
    const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
    if (!res) return undefined;
    const body = (await res.json()) as { checks?: { constructor?: { detail?: string } } };
    return body.checks?.constructor?.detail;
  }

  /** Starts two constructors; returns [leader, standby] once both are in place. */
  async function pair(): Promise<[{ id: string; proc: Proc }, { id: string; proc: Proc }]> {
    const a = { id: 'c-a', proc: startProcess('c-a') };
    await waitFor(async () => (await stateOf('c-a')) === 'leading', {
      timeoutMs: 30_000,
      message: 'c-a leads',
    });
    const b = { id: 'c-b', proc: startProcess('c-b') };
    await waitFor(async () => (await stateOf('c-b')) === 'standby', {
      timeoutMs: 30_000,
      message: 'c-b stands by',
    });
    return [a, b];
  }

  async function timeToLead(id: string, since: number): Promise<number> {
    await waitFor(async () => (await stateOf(id)) === 'leading', {
      timeoutMs: 30_000,
      intervalMs: 25,
      message: `${id} leads`,
    });
    return Date.now() - since;
  }

  it('a standby leads seconds after the leader is SIGKILLed, not after the main session expired', async () => {
    const [leader, standby] = await pair();
    const killedAt = Date.now();
    leader.proc.child.kill('SIGKILL');
    const took = await timeToLead(standby.id, killedAt);
    process.stdout.write(`constructor failover after SIGKILL: ${(took / 1000).toFixed(2)} s\n`);
    // The dead leader's main session lives 10 s: any takeover before that came from the latch session.
    expect(took).toBeLessThan(OLD_FAILOVER_MS);
  });

  it('a SIGTERMed leader hands off at once (its latch node is deleted), faster than any session expiry', async () => {
    const [leader, standby] = await pair();
    const termAt = Date.now();
    leader.proc.child.kill('SIGTERM');
    const took = await timeToLead(standby.id, termAt);
    process.stdout.write(`constructor hand-off after SIGTERM: ${(took / 1000).toFixed(2)} s\n`);
    expect(await leader.proc.exited).toBe(0);
    // Waiting for the latch session to expire would take at least its timeout.
    expect(took).toBeLessThan(DEFAULT_LEADER_SESSION_TIMEOUT_MS);
  });

  it('a leader stopped for 1 s (SIGSTOP) keeps the lead: no false failover', async () => {
    const [leader, standby] = await pair();
    leader.proc.child.kill('SIGSTOP');
    await sleep(1_000);
    leader.proc.child.kill('SIGCONT');
    await sleep(3_000); // longer than the latch session: an expiry would have shown by now
    expect(await stateOf(standby.id)).toBe('standby');
    expect(await stateOf(leader.id)).toBe('leading');
  });
});

describe('a constructor with a separate latch session', () => {
  it('leads again when its main session comes back while the latch session kept the lead', async () => {
    const zk = await fixture.session();
    await preparePlatform(zk);
    const gate = await TcpGate.start(Number(fixture.connectString.split(':')[1]));
    const c = createConstructor({
      zk: await fixture.session({ connectString: gate.address }),
      leaderZk: await fixture.session(),
      id: 'c-a',
      stacks: () => new FakeClusterStack(),
      timing: TEST_TIMING,
    });
    try {
      await c.start();
      await waitFor(() => c.state === 'leading', { message: 'c-a leads' });
      gate.cut(); // the main session is suspended: no leader-only work meanwhile
      await waitFor(() => c.state === 'standby', { timeoutMs: 10_000, message: 'c-a pauses' });
      gate.heal();
      // The latch never let go (its session was fine): nobody else can lead, so c-a must resume.
      await waitFor(() => c.state === 'leading', { timeoutMs: 15_000, message: 'c-a leads again' });
    } finally {
      await c.close();
      await gate.close();
    }
  });
});

describe('dead host detection in seconds (real liveness process)', () => {
  const D = 'd1';
  let zk: ZkSession;
  let allocators: FakeAllocator[];
  let constructor: Constructor | undefined;

  beforeEach(async () => {
    zk = await fixture.session();
    await preparePlatform(zk);
  });

  afterEach(async () => {
    await constructor?.close();
    constructor = undefined;
    for (const a of allocators) await a.close();
  });

  /**
   * A process holding b1's live node as the allocator does: a dedicated session with the default
   * liveness timeout (WHARF_LIVENESS_SESSION_TIMEOUT_MS). Resolves once the node exists.
   */
  async function liveHolder(id: string): Promise<Proc> {
    const script = `
      const { ZkSession, DEFAULT_LIVENESS_SESSION_TIMEOUT_MS } = require('@wharf/zk');
      const { paths } = require('@wharf/model');
      const zk = new ZkSession({
        connectString: process.env.WHARF_ZK,
        chroot: process.env.WHARF_ZK_CHROOT,
        sessionTimeoutMs: DEFAULT_LIVENESS_SESSION_TIMEOUT_MS,
      });
      zk.start().then(() => zk.registerEphemeral(paths.allocatorLive(process.env.WHARF_ID), ''));
    `;
    const proc = spawnNode(['-e', script], {
      WHARF_ZK: fixture.connectString,
      WHARF_ZK_CHROOT: fixture.chroot,
      WHARF_ID: id,
    });
    await waitFor(async () => (await zk.exists(paths.allocatorLive(id))) !== null, {
      timeoutMs: 30_000,
      message: `${id} live`,
    });
    return proc;
  }

  async function flags(): Promise<Record<string, boolean>> {
    const route = await readRoute(zk, D);
    return Object.fromEntries((route?.instances ?? []).map((i) => [i.allocator_id, i.healthy]));
  }

  async function setUp(): Promise<Proc> {
    const stack = new FakeClusterStack();
    allocators = await startAllocators(zk, [
      ['a1', 'zone-a'],
      ['b1', 'zone-b', { liveNode: false }],
      ['c1', 'zone-c'],
    ]);
    const holder = await liveHolder('b1');
    // Default loss grace (WHARF_ALLOCATOR_LOSS_GRACE_MS), as in production.
    constructor = await startConstructor(await fixture.session(), 'c-a', stack, undefined, {
      allocatorLossGraceMs: DEFAULT_TIMING.allocatorLossGraceMs,
    });
    await waitFor(() => constructor?.state === 'leading', { message: 'c-a leads' });
    await createDeployment(zk, etcdPlanDoc(D, { planId: 'p-create', zoneCount: 3 }));
    expect((await waitForAttempt(zk, D, 'p-create')).status).toBe('success');
    expect(await flags()).toEqual({ a1: true, b1: true, c1: true });
    return holder;
  }

  it('marks the route of a SIGKILLed host unhealthy in seconds, before the old 25 s path could fire', async () => {
    const holder = await setUp();
    const killedAt = Date.now();
    holder.child.kill('SIGKILL');
    await waitFor(async () => (await flags()).b1 === false, {
      timeoutMs: OLD_DETECTION_MS + 5_000,
      intervalMs: 25,
      message: 'b1 unhealthy in the route',
    });
    const took = Date.now() - killedAt;
    process.stdout.write(
      `dead host detection (route unhealthy) after SIGKILL: ${(took / 1000).toFixed(2)} s\n`,
    );
    // The old main session alone could not have expired yet (10 s), let alone its 15 s grace.
    expect(took).toBeLessThan(OLD_FAILOVER_MS);
    expect(await flags()).toEqual({ a1: true, b1: false, c1: true });
  });

  it('a host stopped for 1 s (SIGSTOP) stays routable: no false unhealthy flip', async () => {
    const holder = await setUp();
    holder.child.kill('SIGSTOP');
    const until = Date.now() + 1_000;
    while (Date.now() < until) {
      expect(await flags()).toEqual({ a1: true, b1: true, c1: true });
      await sleep(50);
    }
    holder.child.kill('SIGCONT');
    const watchUntil = Date.now() + 4_000; // liveness session + grace: a flip would show by now
    while (Date.now() < watchUntil) {
      expect(await flags()).toEqual({ a1: true, b1: true, c1: true });
      await sleep(50);
    }
  });
});
