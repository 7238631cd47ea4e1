/**
 * Clean-up that must also happen when the run is interrupted (Ctrl+C): each step registers what it would undo
 * in its `finally`, and the signal handler runs whatever is still registered.
 */
const pending = new Set<() => void>();

/** Registers `undo` until the returned function is called (when the step has cleaned up by itself). */
export function undoOnInterrupt(undo: () => void): () => void {
  pending.add(undo);
  return () => pending.delete(undo);
}

/** Runs every registered clean-up once; one failing does not stop the others. */
export function runInterruptUndos(): void {
  for (const undo of [...pending]) {
    pending.delete(undo);
    try {
      undo();
    } catch (error) {
      process.stderr.write(`bench: clean-up failed: ${(error as Error).message}\n`);
    }
  }
}
