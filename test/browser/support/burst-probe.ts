// What a page does with a burst of live events, measured inside it: when each `message` event
// reached the page, the long tasks, the longest gap between two frames, and how often the DOM
// changed (one MutationObserver callback per commit that touched it). Installed before the
// dashboard's own script, so its listener on the stream runs first for every event.
import type { BrowserContext, Page } from 'playwright-core';

export interface BurstFigures {
  events: number;
  /** From the first `message` event of the burst to the last, as the page received them. */
  receiveMs: number;
  /** From the first event to the first frame where `done` held (null: never). */
  doneMs: number | null;
  longTasks: number;
  longTaskMs: number;
  longestFrameGapMs: number;
  domCommits: number;
}

declare global {
  interface Window {
    __burst: {
      events: number[];
      longTasks: [number, number][];
      frames: number[];
      mutations: number[];
      doneAt: number | null;
    };
  }
}

export async function installBurstProbe(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const probe: Window['__burst'] = { events: [], longTasks: [], frames: [], mutations: [], doneAt: null };
    window.__burst = probe;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) probe.longTasks.push([e.startTime, e.duration]);
    }).observe({ type: 'longtask', buffered: true });
    const add = EventSource.prototype.addEventListener;
    EventSource.prototype.addEventListener = function (
      this: EventSource,
      type: string,
      listener: EventListenerOrEventListenerObject,
      options?: boolean | AddEventListenerOptions,
    ) {
      if (type === 'message') add.call(this, type, () => probe.events.push(performance.now()));
      add.call(this, type, listener, options);
    } as typeof EventSource.prototype.addEventListener;
    const frame = (t: number) => {
      probe.frames.push(t);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    document.addEventListener('DOMContentLoaded', () =>
      new MutationObserver(() => probe.mutations.push(performance.now())).observe(document.body, {
        subtree: true,
        childList: true,
        characterData: true,
        attributes: true,
      }),
    );
  });
}

/** Forgets what came before (page load, earlier events): the burst is measured from here. */
export async function resetBurstProbe(
  page: Page,
  /** Done once every element matching `selector` whose chip says `having` holds `text`. */
  doneWhenEveryRow?: { selector: string; having: string; text: string },
) {
  await page.evaluate((done) => {
    const probe = window.__burst;
    probe.events = [];
    probe.longTasks = [];
    probe.frames = [];
    probe.mutations = [];
    probe.doneAt = null;
    if (!done) return;
    const check = () => {
      const rows = [...document.querySelectorAll(done.selector)].filter((r) =>
        r.querySelector('.chip-template')?.textContent?.includes(done.having),
      );
      if (rows.length > 0 && rows.every((r) => r.textContent?.includes(done.text))) {
        probe.doneAt = performance.now();
        return;
      }
      requestAnimationFrame(check);
    };
    requestAnimationFrame(check);
  }, doneWhenEveryRow ?? null);
}

export async function burstFigures(page: Page): Promise<BurstFigures> {
  return page.evaluate(() => {
    const p = window.__burst;
    const first = p.events[0] ?? 0;
    const last = p.events.at(-1) ?? 0;
    const inBurst = p.longTasks.filter(([start, d]) => start + d >= first);
    let gap = 0;
    for (let i = 1; i < p.frames.length; i++) {
      if (p.frames[i]! >= first) gap = Math.max(gap, p.frames[i]! - p.frames[i - 1]!);
    }
    return {
      events: p.events.length,
      receiveMs: Math.round(last - first),
      doneMs: p.doneAt === null ? null : Math.round(p.doneAt - first),
      longTasks: inBurst.length,
      longTaskMs: Math.round(inBurst.reduce((sum, [, d]) => sum + d, 0)),
      longestFrameGapMs: Math.round(gap),
      domCommits: p.mutations.filter((t) => t >= first).length,
    };
  });
}
