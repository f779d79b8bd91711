// The advisor's computer clock can be minutes off (set by hand, a dead battery, a wrong zone
// setting taken for the time). Deadlines the server sets, a QR's `expiresAt` above all, are
// counted against the server's clock, read from the Date header of the API's answers; with a
// fast clock a fresh QR read "expired" before it could be scanned.

/** A difference below this is the header's rounding (it is to the second) and the trip: no skew. */
const MIN_SKEW_MS = 3_000;
/** A slower answer says too little about when the header was written. */
const MAX_ROUND_TRIP_MS = 2_000;

let offsetMs = 0;

/** Takes the server's time from an answer's Date header, sent at `sentAt`, read at `receivedAt`. */
export function noteServerDate(dateHeader: string | null, sentAt: number, receivedAt: number): void {
  if (!dateHeader || receivedAt - sentAt > MAX_ROUND_TRIP_MS) return;
  const server = Date.parse(dateHeader);
  if (Number.isNaN(server)) return;
  // The header drops the milliseconds: the middle of its second, against the middle of the trip.
  const skew = server + 500 - (sentAt + receivedAt) / 2;
  offsetMs = Math.abs(skew) >= MIN_SKEW_MS ? skew : 0;
}

/** Now, by the server's clock as far as this page knows it. */
export function serverNow(): number {
  return Date.now() + offsetMs;
}
