import { systemClock } from '@wharf/supervise';
import { ChangeSignal } from './change-signal';

/** Resolves to true when `wait` ended before `ms` (woken), false when it ran to its timeout. */
async function wokenWithin(wait: Promise<void>, ms: number): Promise<boolean> {
  let done = false;
  void wait.then(() => (done = true));
  await new Promise((resolve) => setTimeout(resolve, ms));
  return done;
}

describe('ChangeSignal', () => {
  it('wakes only the waiters of the deployment an instance belongs to', async () => {
    const signal = new ChangeSignal(systemClock);
    const d1 = signal.wait(5_000, undefined, 'd1');
    const d2 = signal.wait(5_000, undefined, 'd2');
    signal.notifyInstance('d1-main-0');
    expect(await wokenWithin(d1, 20)).toBe(true);
    expect(await wokenWithin(d2, 20)).toBe(false);
    signal.notify();
    expect(await wokenWithin(d2, 20)).toBe(true);
  });

  it('wakes a deployment whose id has dashes, and the waiters of any change', async () => {
    const signal = new ChangeSignal(systemClock);
    const dashed = signal.wait(5_000, undefined, 'orders-eu');
    const any = signal.wait(5_000);
    const other = signal.wait(5_000, undefined, 'orders');
    signal.notifyDeployment('orders-eu');
    expect(await wokenWithin(dashed, 20)).toBe(true);
    expect(await wokenWithin(any, 20)).toBe(true);
    expect(await wokenWithin(other, 20)).toBe(false);
    signal.notifyInstance('orders-main-3');
    expect(await wokenWithin(other, 20)).toBe(true);
  });
});
