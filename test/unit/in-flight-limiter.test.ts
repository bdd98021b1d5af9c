import { describe, expect, it } from 'vitest';
import { InFlightLimiter, ManagerSlots } from '../../src-delegate/managers/in-flight-limiter.js';

/** A call the test finishes by hand: no timers, only real promises. */
function manualCall() {
  let finish!: (value: number) => void;
  let fail!: (error: Error) => void;
  const result = new Promise<number>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  return { result, finish, fail };
}

/** Lets every promise reaction that is ready run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Starts `count` calls through `run`, recording which have started and the most ever running at once. */
function startCalls(count: number, run: <T>(call: () => Promise<T>) => Promise<T>) {
  const calls = Array.from({ length: count }, manualCall);
  const started: number[] = [];
  let running = 0;
  let most = 0;
  const done = calls.map((call, i) =>
    run(async () => {
      started.push(i);
      running++;
      most = Math.max(most, running);
      try {
        return await call.result;
      } finally {
        running--;
      }
    }),
  );
  return { calls, started, done, most: () => most, running: () => running };
}

describe('InFlightLimiter: at most C calls in flight', () => {
  it('never runs more than its limit, hands each freed slot to the next call in arrival order, and runs every call', async () => {
    const limiter = new InFlightLimiter(3);
    const { calls, started, done, most } = startCalls(10, (call) => limiter.run(call));
    await settle();
    expect(started).toEqual([0, 1, 2]);
    expect(limiter.inFlight).toBe(3);
    expect(limiter.queued).toBe(7);
    // Finish them out of order: each end starts exactly the next waiting call.
    for (const i of [1, 0, 2, 5, 3, 4, 8, 6, 9, 7]) {
      if (!started.includes(i)) throw new Error(`call ${i} finished before it started`);
      calls[i]!.finish(i);
      await settle();
      expect(limiter.inFlight).toBeLessThanOrEqual(3);
    }
    expect(await Promise.all(done)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(most()).toBe(3);
    expect(limiter.inFlight).toBe(0);
  });

  it('a failed call frees its slot and its caller gets the error', async () => {
    const limiter = new InFlightLimiter(1);
    const { calls, started, done } = startCalls(2, (call) => limiter.run(call));
    await settle();
    calls[0]!.fail(new Error('provider said no'));
    await expect(done[0]).rejects.toThrow('provider said no');
    await settle();
    expect(started).toEqual([0, 1]);
    calls[1]!.finish(1);
    await expect(done[1]).resolves.toBe(1);
    expect(limiter.inFlight).toBe(0);
  });

  it('a lower limit starts nothing new until the calls running are below it; a higher one starts waiting calls at once', async () => {
    const limiter = new InFlightLimiter(4);
    const { calls, started, done, running } = startCalls(8, (call) => limiter.run(call));
    await settle();
    expect(started).toHaveLength(4);
    limiter.setLimit(2);
    calls[0]!.finish(0);
    calls[1]!.finish(1);
    await settle();
    expect(started).toHaveLength(4);
    expect(running()).toBe(2);
    calls[2]!.finish(2);
    await settle();
    expect(started).toHaveLength(5);
    expect(running()).toBe(2);
    limiter.setLimit(5);
    await settle();
    expect(started).toHaveLength(8);
    for (const call of calls.slice(3)) call.finish(0);
    await Promise.all(done);
    expect(limiter.inFlight).toBe(0);
  });
});

describe('ManagerSlots: one limit per manager', () => {
  it('limits each manager on its own, and leaves a request without a concurrency unlimited', async () => {
    const slots = new ManagerSlots();
    const source = startCalls(5, (call) => slots.run('source', 2, call));
    const target = startCalls(5, (call) => slots.run('target', 2, call));
    const unlimited = startCalls(5, (call) => slots.run('target', undefined, call));
    await settle();
    expect(source.started).toHaveLength(2);
    expect(target.started).toHaveLength(2);
    expect(unlimited.started).toHaveLength(5);
    for (const group of [source, target, unlimited]) {
      for (let i = 0; i < 5; i++) {
        await settle();
        group.calls[i]!.finish(i);
      }
      await Promise.all(group.done);
    }
    expect(source.most()).toBe(2);
    expect(target.most()).toBe(2);
    expect(slots.of('target', 2).inFlight).toBe(0);
  });
});
