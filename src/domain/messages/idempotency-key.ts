// One Idempotency-Key namespace per advisor holds two kinds of keys: the caller's (the header of
// POST /send and of a conversation reply) and the service's own, made for the messages it plans
// ("appointment:<id>:v<version>:<kind>", "appointment:<id>:manual:<key>"). A caller who sent
// exactly such a key took the place of a message the service had yet to plan, and the reschedule
// that planned it answered 409 idempotency_conflict for good. A caller's key that could be read
// as one of ours is stored with a prefix of its own; every other key is stored as it comes, so
// keys stored before this rule still answer their repeats.

/** What the service's own keys begin with. */
const SERVICE_KEY_PREFIX = 'appointment:';
/** Set before a caller's key that begins like one of ours (or like this very prefix). */
const CALLER_ESCAPE = '~caller:';

/** How a caller's Idempotency-Key is stored: never equal to a key the service makes. */
export function callerIdempotencyKey(key: string): string {
  return key.startsWith(SERVICE_KEY_PREFIX) || key.startsWith(CALLER_ESCAPE) ? CALLER_ESCAPE + key : key;
}
