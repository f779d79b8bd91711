// Account-safety pacing as an advisor setting: the defaults and bounds come from the server
// (env), each advisor may tune them inside those bounds. See ARCHITECTURE.md, "Account safety".
import { z } from 'zod';
import { AppError } from '../app-error.js';

export const DAY_MS = 86_400_000;

export interface PacingSettings {
  /** `auto` follows the server default (on with a real Evolution API, off in sandbox). */
  mode: 'auto' | 'on' | 'off';
  /** Each send waits a random gap in [minGapMs, maxGapMs] after the previous one. */
  minGapMs: number;
  maxGapMs: number;
  hourlyCap: number;
  dailyCap: number;
  /** For this many days after connecting, the daily cap grows linearly from warmupStartCap. */
  warmupDays: number;
  warmupStartCap: number;
  /** Failed sends to this many different numbers within failureWindowMinutes pause the advisor's sends. */
  pauseAfterFailures: number;
  failureWindowMinutes: number;
}

export interface PacingBounds {
  /** What `mode: auto` means on this server. */
  defaultOn: boolean;
  /**
   * Whether an advisor may choose `mode: off` (PACING_ALLOW_OFF). When not, `off` is refused and a
   * stored one reads as `auto`: an operator who forbids it stops every number's unpaced sending at
   * once, as tightened bounds do.
   */
  allowOff: boolean;
  defaults: Omit<PacingSettings, 'mode'>;
  /** The shortest gap an advisor may choose. */
  gapFloorMs: number;
  hourlyCeiling: number;
  dailyCeiling: number;
}

/** Used where no server bounds were handed over (tests building a context by hand): off. */
export const FALLBACK_PACING_BOUNDS: PacingBounds = {
  defaultOn: false,
  allowOff: true,
  defaults: {
    minGapMs: 3_000,
    maxGapMs: 8_000,
    hourlyCap: 60,
    dailyCap: 300,
    warmupDays: 7,
    warmupStartCap: 20,
    pauseAfterFailures: 5,
    failureWindowMinutes: 10,
  },
  gapFloorMs: 1_000,
  hourlyCeiling: 200,
  dailyCeiling: 1_000,
};

export function defaultPacing(bounds: PacingBounds): PacingSettings {
  return { mode: 'auto', ...bounds.defaults };
}

export function pacingPatchSchema(bounds: PacingBounds) {
  const ceiling = (max: number) => `must be at most ${max} (the server's bound)`;
  return z
    .object({
      mode: z
        .enum(['auto', 'on', 'off'])
        .refine(
          (mode) => mode !== 'off' || bounds.allowOff,
          "cannot be off on this server (PACING_ALLOW_OFF=false): use 'auto' or 'on'",
        ),
      minGapMs: z
        .number()
        .int()
        .min(bounds.gapFloorMs, `must be at least ${bounds.gapFloorMs} (the server's bound)`)
        .max(600_000),
      maxGapMs: z.number().int().min(bounds.gapFloorMs).max(600_000),
      hourlyCap: z.number().int().min(1).max(bounds.hourlyCeiling, ceiling(bounds.hourlyCeiling)),
      dailyCap: z.number().int().min(1).max(bounds.dailyCeiling, ceiling(bounds.dailyCeiling)),
      warmupDays: z.number().int().min(0).max(60),
      warmupStartCap: z.number().int().min(1).max(bounds.dailyCeiling, ceiling(bounds.dailyCeiling)),
      pauseAfterFailures: z.number().int().min(1).max(100),
      failureWindowMinutes: z.number().int().min(1).max(1_440),
    })
    .partial()
    .strict();
}

/** Merges a validated partial change, then checks the rules that span two fields. */
export function mergePacing(current: PacingSettings, patch: Partial<PacingSettings>): PacingSettings {
  const next = { ...current, ...patch };
  const fields: { field: string; message: string }[] = [];
  // Named after a field the change sent, with the other's value: `{dailyCap: 10}` alone was
  // answered "warmupStartCap: must be at most dailyCap", a field the caller never wrote, whose
  // value (the default 20) it could not see.
  const outOfOrder = (low: keyof PacingSettings, high: keyof PacingSettings) => {
    if (next[low] <= next[high]) return;
    fields.push(
      high in patch || !(low in patch)
        ? { field: `settings.pacing.${high}`, message: `must be at least ${low} (${next[low]})` }
        : { field: `settings.pacing.${low}`, message: `must be at most ${high} (${next[high]})` },
    );
  };
  outOfOrder('minGapMs', 'maxGapMs');
  outOfOrder('warmupStartCap', 'dailyCap');
  if (fields.length > 0) {
    throw new AppError('validation_failed', fields.map((f) => `${f.field}: ${f.message}`).join('; '), {
      fields,
    });
  }
  return next;
}

/** A stored number within [min, max], rounded; the fallback when it is not a number. */
export const clamp = (v: unknown, min: number, max: number, fallback: number) =>
  typeof v === 'number' && Number.isFinite(v) ? Math.min(max, Math.max(min, Math.round(v))) : fallback;

/**
 * Stored pacing over the defaults, clamped to today's bounds: an operator who tightens the
 * bounds tightens every advisor at once, including those who saved looser values earlier.
 */
export function readPacing(stored: unknown, bounds: PacingBounds): PacingSettings {
  const s = (typeof stored === 'object' && stored !== null ? stored : {}) as Partial<PacingSettings>;
  const d = bounds.defaults;
  const minGapMs = clamp(s.minGapMs, bounds.gapFloorMs, 600_000, d.minGapMs);
  const dailyCap = clamp(s.dailyCap, 1, bounds.dailyCeiling, d.dailyCap);
  return {
    mode: s.mode === 'on' || (s.mode === 'off' && bounds.allowOff) ? s.mode : 'auto',
    minGapMs,
    maxGapMs: clamp(s.maxGapMs, minGapMs, 600_000, Math.max(minGapMs, d.maxGapMs)),
    hourlyCap: clamp(s.hourlyCap, 1, bounds.hourlyCeiling, d.hourlyCap),
    dailyCap,
    warmupDays: clamp(s.warmupDays, 0, 60, d.warmupDays),
    warmupStartCap: clamp(s.warmupStartCap, 1, dailyCap, Math.min(dailyCap, d.warmupStartCap)),
    pauseAfterFailures: clamp(s.pauseAfterFailures, 1, 100, d.pauseAfterFailures),
    failureWindowMinutes: clamp(s.failureWindowMinutes, 1, 1_440, d.failureWindowMinutes),
  };
}

export function isPacingOn(pacing: PacingSettings, bounds: PacingBounds): boolean {
  return pacing.mode === 'on' || (pacing.mode === 'auto' && bounds.defaultOn);
}

/**
 * The daily cap at a given time: during the warm-up it grows linearly, day by day, from
 * warmupStartCap (day 0, the day the number was first linked) to dailyCap (reached on day
 * warmupDays). Unknown start: no warm-up (numbers linked before it was recorded).
 */
export function dailyCapAt(pacing: PacingSettings, warmupSince: Date | null, at: number): number {
  if (!warmupSince || pacing.warmupDays <= 0) return pacing.dailyCap;
  const day = Math.max(0, Math.floor((at - warmupSince.getTime()) / DAY_MS));
  if (day >= pacing.warmupDays) return pacing.dailyCap;
  const start = Math.min(pacing.warmupStartCap, pacing.dailyCap);
  return Math.floor(start + ((pacing.dailyCap - start) * day) / pacing.warmupDays);
}
