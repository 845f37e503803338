/** The promise's value if it settles within `ms`, otherwise undefined (the promise itself is left to run). */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The promise's value if it settles within `ms`, otherwise a rejection saying so (the promise is
 * left to run: what it holds is its own to bound). For a store that may hang rather than refuse,
 * where a caller must answer soon.
 */
export async function withinOrFail<T>(promise: Promise<T>, ms: number): Promise<T> {
  const answered = await within(promise.then((value) => ({ value })), ms);
  if (answered === undefined) throw new Error(`no answer within ${ms} ms`);
  return answered.value;
}
