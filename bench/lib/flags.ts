// Command-line values of the benches: a count given as text, refused with one line naming its flag
// (NaN messages or pairs used to run nothing and print an empty table).

/** `given` as a whole number, at least `least`; throws naming `--flag` otherwise. */
export function countFlag(flag: string, given: string | undefined, least = 1): number {
  const n = Number(given);
  if (!Number.isInteger(n) || n < least)
    throw new Error(`--${flag} takes a whole number ≥ ${least}, got ${given}`);
  return n;
}
