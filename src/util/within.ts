/**
 * `work`, or a rejection if it has not settled within `ms` (the work itself goes on: what it holds
 * is its own to bound). For a store that may hang rather than refuse, where a caller must answer soon.
 */
export function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timedOut]).finally(() => clearTimeout(timer));
}
