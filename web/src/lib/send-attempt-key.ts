// One Idempotency-Key per message the advisor means to send, not per press of the button. When
// the connection drops after the request left, the server has stored the message and will send
// it, but the page only learns it could not reach the server; the advisor presses Send again.
// With a new key that press was a second message and the client got it twice; with the same key
// and the same body the server answers the message it already has.
import { useRef } from 'react';
import { randomId } from './random-id';

export class SendAttemptKey {
  private current: { body: string; key: string } | null = null;

  constructor(private readonly newKey: () => string = randomId) {}

  /** The key for sending `body`: the last attempt's while the request is the same, else a new one. */
  for(body: unknown): string {
    const fingerprint = JSON.stringify(body);
    if (this.current?.body !== fingerprint) this.current = { body: fingerprint, key: this.newKey() };
    return this.current.key;
  }

  /** The send was answered: the next one, even with the same words, is another message. */
  settle(): void {
    this.current = null;
  }
}

/** A SendAttemptKey that lives as long as the form. */
export function useSendAttemptKey(): SendAttemptKey {
  const ref = useRef<SendAttemptKey | null>(null);
  ref.current ??= new SendAttemptKey();
  return ref.current;
}
