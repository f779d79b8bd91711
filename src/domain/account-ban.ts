// A platform admin's ban of an account (better-auth's admin plugin: `user.banned`, `banExpires`).
// better-auth itself ends the account's sessions and refuses new ones; the service refuses its API
// keys (src/auth/api-key-check.ts) and hides its public button (public-cta.ts) while it holds.
// What a ban leaves alone, and why: docs/ARCHITECTURE.md, "Tenancy".

/** Whether an admin's ban holds at `now`: `banned`, and no `banExpires` or one still to come. */
export function isBanned(owner: { banned: boolean | null; banExpires: Date | null }, now: Date): boolean {
  return owner.banned === true && (owner.banExpires === null || owner.banExpires.getTime() > now.getTime());
}
