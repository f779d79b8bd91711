import type { MessageStatus } from './types.js';

/**
 * Evolution's status strings (renderStatus of Baileys' WAMessageStatus) in our vocabulary.
 * DELETED and EDITED say nothing about delivery, and an unknown word must not move a message
 * anywhere, so both map to null.
 */
const STATUS_BY_EVOLUTION_WORD: Readonly<Record<string, MessageStatus>> = {
  ERROR: 'failed',
  PENDING: 'sending',
  SERVER_ACK: 'sent',
  DELIVERY_ACK: 'delivered',
  READ: 'read',
  PLAYED: 'read',
};

/**
 * Baileys' WAMessageStatus numbers as the words Evolution renders them in. Evolution converts
 * them before a webhook leaves (evolution-api.md §4.4), but a version that passed one through
 * would otherwise make the whole delivery unreadable (a 400, which Evolution does not retry).
 */
const BAILEYS_STATUS_WORDS = ['ERROR', 'PENDING', 'SERVER_ACK', 'DELIVERY_ACK', 'READ', 'PLAYED'] as const;

export function statusWordOf(status: number): string {
  return BAILEYS_STATUS_WORDS[status] ?? String(status);
}

export function mapEvolutionStatus(raw: string | null | undefined): MessageStatus | null {
  if (!raw) return null;
  return STATUS_BY_EVOLUTION_WORD[raw.toUpperCase()] ?? null;
}

/**
 * A 201 from a send means Baileys handed the message to WhatsApp, so the `PENDING` it carries is
 * our `sent`; a later SERVER_ACK only confirms it.
 */
export function statusAfterSend(raw: string | null | undefined): MessageStatus {
  const mapped = mapEvolutionStatus(raw);
  return mapped === null || mapped === 'sending' ? 'sent' : mapped;
}
