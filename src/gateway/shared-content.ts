// What a client shares that is not text or a file: a location, a contact card, a poll. The service
// does not model these (they stay kind `other`), but an advisor reading the inbox needs to see
// what was shared, so each becomes a plain-text description. It uses no words of any language:
// an emoji, the shared values and a map link, the same in a Spanish and an English dashboard.

type Fields = Record<string, unknown>;

/** Inbound text is WhatsApp's; a description is ours, and this long is already more than a screen. */
const MAX_DESCRIPTION = 4_096;

function isFields(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function words(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function coordinate(value: unknown, limit: number): number | null {
  const n = typeof value === 'string' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) && Math.abs(n) <= limit ? n : null;
}

/** `locationMessage` / `liveLocationMessage`: name and address when given, and a map link. */
function describeLocation(location: Fields): string | null {
  const lat = coordinate(location.degreesLatitude, 90);
  const lng = coordinate(location.degreesLongitude, 180);
  const place = [words(location.name), words(location.address)].filter((x) => x !== null).join(', ');
  const link = lat !== null && lng !== null ? `https://maps.google.com/?q=${lat},${lng}` : null;
  if (!place && !link) return null;
  return `📍 ${[place, link].filter(Boolean).join('\n')}`;
}

/** The numbers of a vCard: `TEL;…;waid=5215512345678:+52 1 55 1234 5678` gives +5215512345678. */
function vcardPhones(vcard: string): string[] {
  // RFC 6350 folds long lines: a line starting with a space continues the previous one.
  const lines = vcard.replace(/\r?\n[ \t]/g, '').split(/\r?\n/);
  const phones: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const head = line.slice(0, colon);
    if (!/^(item\d+\.)?TEL\b/i.test(head)) continue;
    const waid = /;waid=(\d{6,15})/i.exec(head)?.[1];
    const shown = words(line.slice(colon + 1));
    const phone = waid ? `+${waid}` : shown;
    if (phone && !phones.includes(phone)) phones.push(phone);
  }
  return phones;
}

function vcardName(vcard: string): string | null {
  const line = vcard.split(/\r?\n/).find((l) => /^FN[:;]/i.test(l));
  return line ? words(line.slice(line.indexOf(':') + 1)) : null;
}

/** `contactMessage`: the card's name and its numbers. */
function describeContact(contact: Fields): string | null {
  const vcard = typeof contact.vcard === 'string' ? contact.vcard : '';
  const name = words(contact.displayName) ?? vcardName(vcard);
  const phones = vcardPhones(vcard);
  if (!name && phones.length === 0) return null;
  return `👤 ${[name, phones.join(', ')].filter(Boolean).join(' · ')}`;
}

/** `contactsArrayMessage`: one line per card. */
function describeContacts(array: Fields): string | null {
  const cards = Array.isArray(array.contacts) ? array.contacts.filter(isFields) : [];
  const lines = cards.map(describeContact).filter((x): x is string => x !== null);
  return lines.length > 0 ? lines.join('\n') : null;
}

/** `pollCreationMessage` (and its V2, V3): the question and the options. */
function describePoll(poll: Fields): string | null {
  const question = words(poll.name);
  const options = (Array.isArray(poll.options) ? poll.options : [])
    .map((o) => (isFields(o) ? words(o.optionName) : null))
    .filter((x): x is string => x !== null);
  if (!question && options.length === 0) return null;
  return [`📊 ${question ?? ''}`.trimEnd(), ...options.map((o) => `• ${o}`)].join('\n');
}

const DESCRIBERS: readonly [string, (fields: Fields) => string | null][] = [
  ['locationMessage', describeLocation],
  ['liveLocationMessage', describeLocation],
  ['contactMessage', describeContact],
  ['contactsArrayMessage', describeContacts],
  ['pollCreationMessage', describePoll],
  ['pollCreationMessageV2', describePoll],
  ['pollCreationMessageV3', describePoll],
];

/** A readable text for shared content (already unwrapped from its containers), or null. */
export function describeSharedContent(content: Fields): string | null {
  for (const [key, describe] of DESCRIBERS) {
    const value = content[key];
    if (!isFields(value)) continue;
    const text = describe(value);
    if (text !== null) return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
  }
  return null;
}
