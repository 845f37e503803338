/** `write`, at most once every `everyMs` (reports that could otherwise come once per request). */
export function throttled(write: (error: Error) => void, everyMs: number, now: () => number): (error: Error) => void {
  let last = Number.NEGATIVE_INFINITY;
  return (error) => {
    if (now() - last < everyMs) return;
    last = now();
    write(error);
  };
}
