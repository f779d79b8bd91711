// How the gateway turns the `number` field into a JID (reference §5). Written from the reference's description,
// not from our client, so a misreading cannot hide in both.

const QUALIFIED_SUFFIXES = ['@s.whatsapp.net', '@g.us', '@lid', '@broadcast'];

/** Mexico and Argentina: a 13-digit number carries a mobile prefix digit that WhatsApp drops. */
function fixMexicoArgentina(digits: string): string {
  const country = digits.slice(0, 2);
  if ((country === '52' || country === '54') && digits.length === 13) return country + digits.slice(3);
  return digits;
}

/** Brazil: `55` + DDD + `9` + 8 digits loses the `9` when DDD ≥ 31 and the subscriber starts with 7-9. */
function fixBrazil(digits: string): string {
  const match = /^(\d{2})(\d{2})\d(\d{8})$/.exec(digits);
  if (!match || match[1] !== '55') return digits;
  const ddd = Number(match[2]);
  const firstSubscriberDigit = Number((match[3] ?? '0')[0]);
  if (firstSubscriberDigit < 7 || ddd < 31) return digits;
  return `${match[1]}${match[2]}${match[3]}`;
}

export function createJid(number: string): string {
  const withoutDevice = number.replace(/:\d+/, '');
  if (QUALIFIED_SUFFIXES.some((suffix) => withoutDevice.includes(suffix))) return withoutDevice;
  const cleaned = withoutDevice.replace(/[\s+()]/g, '').split('@')[0] ?? '';
  if (cleaned.includes('-') && cleaned.length >= 24) return `${cleaned.replace(/[^\d-]/g, '')}@g.us`;
  const digits = cleaned.replace(/\D/g, '');
  if (digits.length >= 18) return `${digits}@g.us`;
  return `${fixBrazil(fixMexicoArgentina(digits))}@s.whatsapp.net`;
}

export function isGroupJid(jid: string): boolean {
  return jid.endsWith('@g.us');
}

export function isLidJid(jid: string): boolean {
  return jid.endsWith('@lid');
}

export function isBroadcastJid(jid: string): boolean {
  return jid.endsWith('@broadcast');
}

/** Groups, LIDs and broadcasts skip the "is it on WhatsApp?" check. */
export function skipsExistenceCheck(jid: string): boolean {
  return isGroupJid(jid) || isLidJid(jid) || isBroadcastJid(jid);
}

export function jidUser(jid: string): string {
  return jid.split('@')[0] ?? jid;
}
