/**
 * What has started, to be undone newest first: on a stop, and on a failed start. Every step runs
 * even if one before it failed; the first failure is thrown once all have run.
 */
export class UndoStack {
  private readonly steps: (() => unknown)[] = [];

  push(...steps: (() => unknown)[]): void {
    this.steps.push(...steps);
  }

  /** Undoes everything once (a second call finds nothing left). */
  async undo(): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  /** After `error` (a failed start, say): undoes everything, then throws `error`; a failure to undo must not hide it. */
  async undoAfter(error: unknown): Promise<never> {
    await this.undo().catch(() => undefined);
    throw error;
  }
}
