// Every timer the emulator starts goes through here so close() and reset can stop them all: a test run must be
// able to exit without waiting for a 5-minute webhook retry.

export class Timers {
  // Value: what to run if the timer is cancelled instead of firing (a sleeping request must still resolve).
  private readonly handles = new Map<NodeJS.Timeout, (() => void) | undefined>();
  private stopped = false;

  after(ms: number, fn: () => void, onCancel?: () => void): NodeJS.Timeout | undefined {
    if (this.stopped) return undefined;
    const handle = setTimeout(() => {
      this.handles.delete(handle);
      fn();
    }, ms);
    this.handles.set(handle, onCancel);
    return handle;
  }

  cancel(handle: NodeJS.Timeout | undefined): void {
    if (!handle) return;
    clearTimeout(handle);
    const onCancel = this.handles.get(handle);
    this.handles.delete(handle);
    onCancel?.();
  }

  /** Resolves after `ms`, or as soon as the timers are cancelled, so no request hangs on shutdown. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      if (!this.after(ms, resolve, resolve)) resolve();
    });
  }

  cancelAll(): void {
    const cancelled = [...this.handles];
    this.handles.clear();
    for (const [handle, onCancel] of cancelled) {
      clearTimeout(handle);
      onCancel?.();
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancelAll();
  }

  get pending(): number {
    return this.handles.size;
  }
}
