const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A click-to-chat link that opens WhatsApp on the number with the message typed in.
 *
 * wa.me wants the digits without "+". A message that is empty or only spaces adds no `text`
 * parameter, so the chat opens blank instead of with a stray space.
 */
export function buildWaMeLink(e164: string, message = ''): string {
  if (!E164.test(e164)) throw new RangeError(`Not an E.164 phone number: "${e164}"`);
  const url = `https://wa.me/${e164.slice(1)}`;
  if (message.trim() === '') return url;
  return `${url}?text=${encodeURIComponent(wellFormed(message))}`;
}

/**
 * encodeURIComponent throws on half an emoji (a lone surrogate), which a message cut at a
 * character limit can end with; the half becomes U+FFFD instead.
 */
function wellFormed(text: string): string {
  return text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
