// The webhook `date_time` quirk (reference §4.3): the gateway shifts "now" by the server's UTC offset and then
// prints it with toISOString(), so the string ends in `Z` but shows the local wall-clock time of its TZ.

export class WallClock {
  private readonly format: Intl.DateTimeFormat;
  private cachedMinute = Number.NaN;
  private cachedOffsetMs = 0;

  constructor(readonly timeZone: string) {
    // Throws RangeError on an unknown zone, which is what we want at start-up.
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** Offset of the zone from UTC at `epochMs`, cached per minute: formatToParts is slow and offsets move rarely. */
  offsetMs(epochMs: number): number {
    const minute = Math.floor(epochMs / 60_000);
    if (minute === this.cachedMinute) return this.cachedOffsetMs;
    const whole = minute * 60_000;
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(new Date(whole))) {
      if (part.type !== 'literal') parts[part.type] = Number(part.value);
    }
    const asUtc = Date.UTC(
      parts.year ?? 1970,
      (parts.month ?? 1) - 1,
      parts.day ?? 1,
      parts.hour ?? 0,
      parts.minute ?? 0,
      parts.second ?? 0,
    );
    this.cachedMinute = minute;
    this.cachedOffsetMs = asUtc - whole;
    return this.cachedOffsetMs;
  }

  /** Local wall time printed as if it were UTC, e.g. 08:22:20.492Z when real UTC is 11:22:20.492Z in São Paulo. */
  webhookDateTime(epochMs: number = Date.now()): string {
    return new Date(epochMs + this.offsetMs(epochMs)).toISOString();
  }
}
