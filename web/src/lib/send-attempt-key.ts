// One Idempotency-Key per message the advisor means to send, not per press of the button. When
// the connection drops after the request left, the server has stored the message and will send
// it, but the page only learns it could not reach the server; the advisor presses Send again.
// With a new key that press was a second message and the client got it twice; with the same key
// and the same body the server answers the message it already has.
import { useRef } from 'react';
import { randomId } from './random-id';

export class SendAttemptKey {
  private current: { intent: string; key: string; body: unknown } | null = null;

  constructor(private readonly newKey: () => string = randomId) {}

  /** The key for sending `body`: the last attempt's while the request is the same, else a new one. */
  for(body: unknown): string {
    return this.request(body, () => body).key;
  }

  /**
   * The key and body for sending what `intent` says (what the advisor typed): while it is the
   * one of the unanswered attempt, that attempt's key AND body, so a repeat is the same request
   * even if a detail `build` adds has changed since (a client's name that loaded in between made
   * the repeat another body: with its own key a second message, with the same key a 409).
   */
  request<B>(intent: unknown, build: () => B): { key: string; body: B } {
    const fingerprint = JSON.stringify(intent);
    if (this.current?.intent !== fingerprint)
      this.current = { intent: fingerprint, key: this.newKey(), body: build() };
    return { key: this.current.key, body: this.current.body as B };
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
