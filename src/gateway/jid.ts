// The one import from outside this folder: a pure function (no I/O) that keeps the numbers read
// from JIDs in the form the app's phone normaliser gives the numbers it sends to.
import { canonicalWhatsAppNumber } from '../domain/phone/mobile-prefix-quirks.js';
import { GatewayError } from './errors.js';

/**
 * The single place where phone numbers meet WhatsApp JIDs. The app speaks E.164 (`+5511987654321`);
 * Evolution wants bare digits in `number` and answers with JIDs (`5511987654321@s.whatsapp.net`,
 * `…@lid` privacy ids, `…@g.us` groups, `…@broadcast`).
 */

const E164 = /^\+[1-9]\d{6,14}$/;
const PHONE_DIGITS = /^[1-9]\d{6,14}$/;
// `c.us` is the older server name some tools still print for the same phone JID.
const PHONE_SERVERS = new Set(['s.whatsapp.net', 'c.us']);

export function isE164(value: string): boolean {
  return E164.test(value);
}

/** `+5511987654321` → `5511987654321`, the form Evolution's `number` fields expect. */
export function e164ToNumber(e164: string): string {
  if (!isE164(e164)) {
    throw new GatewayError({
      code: 'invalid_number',
      message: `Expected an E.164 phone number like +34612345678, got ${JSON.stringify(e164)}`,
      details: { number: e164 },
    });
  }
  return e164.slice(1);
}

interface SplitJid {
  user: string;
  server: string;
}

function splitJid(jid: string): SplitJid | null {
  const at = jid.indexOf('@');
  if (at <= 0) return null;
  // Multi-device JIDs carry the device after a colon (`5511…:12@s.whatsapp.net`): same person.
  const user = jid.slice(0, at).replace(/:\d+$/, '');
  return { user, server: jid.slice(at + 1).toLowerCase() };
}

export function isPhoneJid(jid: string | null | undefined): jid is string {
  if (!jid) return false;
  const parts = splitJid(jid);
  return parts !== null && PHONE_SERVERS.has(parts.server) && PHONE_DIGITS.test(parts.user);
}

export function isGroupJid(jid: string | null | undefined): boolean {
  return splitJid(jid ?? '')?.server === 'g.us';
}

export function isLidJid(jid: string | null | undefined): boolean {
  return splitJid(jid ?? '')?.server === 'lid';
}

/**
 * A phone JID → E.164; privacy ids (`@lid`), groups and broadcasts have no phone: null.
 *
 * WhatsApp's JIDs drop digits that E.164 numbers, as our normaliser writes them, keep: Argentina's
 * mobile 9 (`541123456789` is +54 9 11 2345-6789), Brazil's 9th digit on many older accounts
 * (`553187654321` is +55 31 98765-4321), while older Mexican accounts keep the mobile prefix 1
 * that the normaliser removes (`5215512345678` is +52 55 1234 5678). The number is given back in
 * the normaliser's form, so an inbound STOP, a send's echo or a receipt is filed under the same
 * number we send to.
 */
export function jidToE164(jid: string | null | undefined): string | null {
  if (!isPhoneJid(jid)) return null;
  const parts = splitJid(jid);
  return parts === null ? null : canonicalWhatsAppNumber(parts.user);
}

function firstPhoneJid(
  primary: string | null | undefined,
  alternate: string | null | undefined,
): string | null {
  if (isPhoneJid(primary)) return primary;
  if (isPhoneJid(alternate)) return alternate;
  return null;
}

export interface JidPair {
  remoteJid?: string | null | undefined;
  remoteJidAlt?: string | null | undefined;
}

/**
 * The phone JID of a message key's chat, or null when none is known. 2.3.6 passes Baileys' key
 * through, so `remoteJid` may be an `@lid` with the phone JID in `remoteJidAlt`; 2.3.7 swaps them
 * (phone in `remoteJid`, lid in `remoteJidAlt`). Taking whichever side is a phone JID covers both.
 */
export function pickPhoneJid(key: JidPair): string | null {
  return firstPhoneJid(key.remoteJid, key.remoteJidAlt);
}

export interface ParticipantPair {
  participant?: string | null | undefined;
  participantAlt?: string | null | undefined;
}

/** Same as pickPhoneJid for the author of a group message. */
export function pickParticipantPhoneJid(key: ParticipantPair): string | null {
  return firstPhoneJid(key.participant, key.participantAlt);
}
