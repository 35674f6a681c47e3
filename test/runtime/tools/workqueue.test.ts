/**
 * The work queues against client-go's semantics: de-duplication, the processing set, shutdown and
 * drain, delays on a fake clock, and workers that never share an item.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DelayingQueue, FakeClock, RateLimitingQueue, WorkQueue } from "../../../runtime/index.js";
import { ItemExponentialFailureRateLimiter } from "../../../runtime/tools/workqueue/rate-limiters.js";

// Whether a promise has settled, after letting pending callbacks run.
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(() => {
    done = true;
  });
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

async function item<T>(queue: WorkQueue<T>): Promise<T> {
  const next = await queue.get();
  if (next.shutdown) throw new Error("queue shut down");
  return next.item;
}

describe("WorkQueue de-duplication and processing", () => {
  it.each([
    { name: "add twice queues once", steps: ["add a", "add a"], len: 1, out: ["a"] },
    { name: "keeps FIFO order", steps: ["add a", "add b", "add a", "add c"], len: 3, out: ["a", "b", "c"] },
    { name: "add while processing waits for done", steps: ["add a", "get a", "add a"], len: 0, out: [] },
    {
      name: "done re-queues an item added while processing, once",
      steps: ["add a", "get a", "add a", "add a", "done a"],
      len: 1,
      out: ["a"],
    },
    { name: "done without a re-add queues nothing", steps: ["add a", "get a", "done a"], len: 0, out: [] },
    { name: "done of an unknown item is a no-op", steps: ["done a", "add b"], len: 1, out: ["b"] },
  ])("$name", async ({ steps, len, out }) => {
    const queue = new WorkQueue<string>();
    for (const step of steps) {
      const [op, value] = step.split(" ") as [string, string];
      if (op === "add") queue.add(value);
      else if (op === "done") queue.done(value);
      else expect(await item(queue)).toBe(value);
    }
    expect(queue.len()).toBe(len);
    const rest: string[] = [];
    for (let i = 0; i < len; i++) rest.push(await item(queue));
    expect(rest).toEqual(out);
  });

  it("a blocked get() gets the next add, and the re-queue after done", async () => {
    const queue = new WorkQueue<string>();
    const first = queue.get();
    expect(await settled(first)).toBe(false);
    queue.add("a");
    expect(await first).toEqual({ item: "a", shutdown: false });
    const second = queue.get();
    queue.add("a"); // being processed: held back
    expect(await settled(second)).toBe(false);
    queue.done("a");
    expect(await second).toEqual({ item: "a", shutdown: false });
  });

  it("hands waiting workers items first come first served", async () => {
    const queue = new WorkQueue<number>();
    const gets = [queue.get(), queue.get(), queue.get()];
    queue.add(1);
    queue.add(2);
    queue.add(3);
    expect((await Promise.all(gets)).map((g) => g.item)).toEqual([1, 2, 3]);
  });
});

describe("WorkQueue shutdown", () => {
  it("ignores adds, hands out what is queued, then resolves shutdown", async () => {
    const queue = new WorkQueue<string>();
    queue.add("a");
    queue.shutDown();
    expect(queue.shuttingDown()).toBe(true);
    queue.add("b");
    expect(queue.len()).toBe(1);
    expect(await queue.get()).toEqual({ item: "a", shutdown: false });
    expect(await queue.get()).toEqual({ shutdown: true });
  });

  it("wakes blocked workers with shutdown", async () => {
    const queue = new WorkQueue<string>();
    const waiting = [queue.get(), queue.get()];
    queue.shutDown();
    expect(await Promise.all(waiting)).toEqual([{ shutdown: true }, { shutdown: true }]);
  });

  it("ends the async iterator", async () => {
    const queue = new WorkQueue<string>();
    queue.add("a");
    queue.add("b");
    const seen: string[] = [];
    for await (const key of queue) {
      seen.push(key);
      queue.done(key);
      if (queue.len() === 0) queue.shutDown();
    }
    expect(seen).toEqual(["a", "b"]);
  });

  it("shutDownWithDrain waits for items being processed", async () => {
    const queue = new WorkQueue<string>();
    queue.add("a");
    queue.add("b");
    await item(queue);
    await item(queue);
    const drained = queue.shutDownWithDrain();
    expect(await settled(drained)).toBe(false);
    queue.done("a");
    expect(await settled(drained)).toBe(false);
    queue.done("b");
    expect(await settled(drained)).toBe(true);
  });

  it("shutDownWithDrain resolves at once when nothing is processing", async () => {
    const queue = new WorkQueue<string>();
    expect(await settled(queue.shutDownWithDrain())).toBe(true);
  });

  it("shutDown ends a drain wait", async () => {
    const queue = new WorkQueue<string>();
    queue.add("a");
    await item(queue);
    const drained = queue.shutDownWithDrain();
    expect(await settled(drained)).toBe(false);
    queue.shutDown();
    expect(await settled(drained)).toBe(true);
  });
});

describe("WorkQueue concurrency", () => {
  it("never hands one item to two workers at once, and loses no add", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 60 }),
        fc.integer({ min: 1, max: 6 }),
        fc.scheduler(),
        async (adds, workers, scheduler) => {
          const queue = new WorkQueue<number>();
          const busy = new Set<number>();
          const lastAdd = new Map<number, number>();
          const lastStart = new Map<number, number>();
          let clock = 0;
          let overlap = false;
          const worker = async () => {
            for await (const key of queue) {
              if (busy.has(key)) overlap = true;
              busy.add(key);
              lastStart.set(key, clock++);
              await scheduler.schedule(Promise.resolve(), `work ${key}`);
              busy.delete(key);
              queue.done(key);
            }
          };
          const running = Array.from({ length: workers }, worker);
          // The producer runs alongside the workers; the scheduler interleaves adds and work.
          const producer = (async () => {
            for (const key of adds) {
              await scheduler.schedule(Promise.resolve(), `add ${key}`);
              lastAdd.set(key, clock++);
              queue.add(key);
            }
          })();
          await scheduler.waitIdle();
          await producer;
          // Every add is followed by a processing start of that item (nothing is lost).
          for (const [key, at] of lastAdd) expect(lastStart.get(key)).toBeGreaterThan(at);
          expect(queue.len()).toBe(0);
          queue.shutDown();
          await Promise.all(running);
          expect(overlap).toBe(false);
        },
      ),
      { interruptAfterTimeLimit: 5_000, numRuns: 200 },
    );
  });
});

describe("DelayingQueue", () => {
  it("adds items when their time comes, in time order", async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue<string>({ clock });
    queue.addAfter("late", 300);
    queue.addAfter("early", 100);
    queue.addAfter("now", 0);
    expect(queue.len()).toBe(1);
    expect(await item(queue)).toBe("now");
    clock.step(99);
    expect(queue.len()).toBe(0);
    clock.step(1);
    expect(queue.len()).toBe(1);
    clock.step(250);
    expect(queue.len()).toBe(2);
    expect([await item(queue), await item(queue)]).toEqual(["early", "late"]);
    expect(clock.pendingTimers()).toBe(0);
  });

  it("keeps the earliest time when an item is added twice", () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue<string>({ clock });
    queue.addAfter("a", 500);
    queue.addAfter("a", 100);
    queue.addAfter("a", 800);
    clock.step(100);
    expect(queue.len()).toBe(1);
    clock.step(1000);
    expect(queue.len()).toBe(1);
  });

  it("de-duplicates a delayed item against one already queued", () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue<string>({ clock });
    queue.add("a");
    queue.addAfter("a", 10);
    clock.step(10);
    expect(queue.len()).toBe(1);
  });

  it("drops waiting items on shutdown", async () => {
    const clock = new FakeClock();
    const queue = new DelayingQueue<string>({ clock });
    queue.addAfter("a", 10);
    queue.shutDown();
    expect(clock.pendingTimers()).toBe(0);
    queue.addAfter("b", 10);
    clock.step(100);
    expect(await queue.get()).toEqual({ shutdown: true });
  });

  it("works on the real clock", async () => {
    const queue = new DelayingQueue<string>();
    queue.addAfter("a", 5);
    expect(await item(queue)).toBe("a");
  });
});

describe("RateLimitingQueue", () => {
  it("delays by the limiter, counts requeues and forgets", () => {
    const clock = new FakeClock();
    const queue = new RateLimitingQueue<string>(new ItemExponentialFailureRateLimiter(5, 1000), { clock });
    queue.addRateLimited("a");
    expect(queue.numRequeues("a")).toBe(1);
    clock.step(4);
    expect(queue.len()).toBe(0);
    clock.step(1);
    expect(queue.len()).toBe(1);
    queue.addRateLimited("b");
    queue.addRateLimited("b");
    expect(queue.numRequeues("b")).toBe(2);
    queue.forget("b");
    expect(queue.numRequeues("b")).toBe(0);
    clock.step(5);
    expect(queue.len()).toBe(2);
  });
});
