import { setTimeout as sleep } from "node:timers/promises";

/** Polls `check` every 10 ms until it returns a value, or fails after `ms` saying what it waited for. */
export async function eventually<T>(check: () => T | undefined | Promise<T | undefined>, what: string, ms = 2_000): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}
