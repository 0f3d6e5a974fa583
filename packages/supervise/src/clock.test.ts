import { ManualClock, SteppingClock, systemClock } from './clock';

test('timers fire in due order as time advances, and can be cancelled', () => {
  const clock = new ManualClock(100);
  const fired: string[] = [];
  clock.schedule(() => fired.push('b'), 20);
  clock.schedule(() => fired.push('a'), 10);
  const cancel = clock.schedule(() => fired.push('never'), 15);
  cancel();
  expect(clock.pending()).toEqual([10, 20]);
  clock.advance(15);
  expect(fired).toEqual(['a']);
  expect(clock.now()).toBe(115);
  clock.advance(5);
  expect(fired).toEqual(['a', 'b']);
  expect(clock.pending()).toEqual([]);
});

test('a timer scheduled by a timer fires within the same advance when due', () => {
  const clock = new ManualClock();
  const at: number[] = [];
  clock.schedule(() => {
    at.push(clock.now());
    clock.schedule(() => at.push(clock.now()), 5);
  }, 5);
  clock.advance(20);
  expect(at).toEqual([5, 10]);
});

test('sleep resolves when its time comes, or at once when aborted', async () => {
  const clock = new ManualClock();
  let done = false;
  const sleeping = clock.sleep(50).then(() => (done = true));
  clock.advance(49);
  await Promise.resolve();
  expect(done).toBe(false);
  clock.advance(1);
  await sleeping;
  expect(done).toBe(true);

  const controller = new AbortController();
  const aborted = clock.sleep(1000, controller.signal);
  controller.abort();
  await aborted;
  expect(clock.pending()).toEqual([]);
});

test('the system clock sleeps and aborts without throwing', async () => {
  const controller = new AbortController();
  const start = Date.now();
  const sleeping = systemClock.sleep(10_000, controller.signal);
  controller.abort();
  await sleeping;
  expect(Date.now() - start).toBeLessThan(5000);
});

test('a stepping clock moves on by each sleep at once and records it', async () => {
  const clock = new SteppingClock(1000);
  await clock.sleep(250);
  await clock.sleep(500);
  expect(clock.now()).toBe(1750);
  expect(clock.slept).toEqual([250, 500]);
});
