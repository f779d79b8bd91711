// A warning someone else decides how often we write: every forged webhook is rejected with a line
// naming its instance and address, and a flood of them (thousands a second, see the
// webhook-forgery drill) would be as many lines: disks fill and the lines that matter drown. The
// first `perWindow` occurrences of a window are logged in full; the rest are only counted, and
// one line when the window ends says how many were left out, by kind. Metrics still count all.
import type { Logger } from 'pino';

/** Twenty lines in full per ten seconds: enough to see who is knocking, not enough to fill a disk. */
export const DEFAULT_LOG_BUDGET = { perWindow: 20, windowMs: 10_000 };

export class LogBudget {
  private windowStartedAt = -Infinity;
  private logged = 0;
  private skipped = new Map<string, number>();
  private summary: NodeJS.Timeout | null = null;

  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly what: string,
    private readonly options: { perWindow: number; windowMs: number } = DEFAULT_LOG_BUDGET,
    private readonly now: () => number = Date.now,
  ) {}

  /** Logs the occurrence through `write` when the window has room; otherwise counts it under `kind`. */
  spend(kind: string, write: () => void): void {
    const at = this.now();
    if (at - this.windowStartedAt >= this.options.windowMs) {
      this.flush();
      this.windowStartedAt = at;
      this.logged = 0;
    }
    if (this.logged < this.options.perWindow) {
      this.logged += 1;
      write();
      return;
    }
    this.skipped.set(kind, (this.skipped.get(kind) ?? 0) + 1);
    if (!this.summary) {
      this.summary = setTimeout(() => this.flush(), this.windowStartedAt + this.options.windowMs - at);
      this.summary.unref();
    }
  }

  /** Writes the count of what this window left out, if anything. */
  flush(): void {
    if (this.summary) clearTimeout(this.summary);
    this.summary = null;
    if (this.skipped.size === 0) return;
    const byKind = Object.fromEntries(this.skipped);
    const total = [...this.skipped.values()].reduce((sum, n) => sum + n, 0);
    this.skipped = new Map();
    this.logger.warn(
      { notLogged: total, byKind, windowMs: this.options.windowMs },
      `${this.what}: ${total} more not logged one by one`,
    );
  }
}
