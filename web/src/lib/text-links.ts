// The web addresses in a message, so a chat bubble can make them links: a client's link, the map
// of a shared location. Only http(s); punctuation that ends a sentence is not part of the address.

export interface TextPart {
  text: string;
  /** Set when this part is a web address. */
  href?: string;
}

const URL_PATTERN = /https?:\/\/[^\s<>"]+/gi;
const SENTENCE_END = new Set(['.', ',', ';', ':', '!', '?', "'", '"', '»', ')', ']']);

const count = (text: string, char: string) => text.split(char).length - 1;

/** "Mira https://x.example/a." → the dot is the sentence's; "…/Dieta_(keto)" keeps its bracket. */
function trimTrailing(url: string): string {
  let end = url.length;
  while (end > 0 && SENTENCE_END.has(url[end - 1]!)) {
    const head = url.slice(0, end);
    if (url[end - 1] === ')' && count(head, '(') >= count(head, ')')) break;
    end -= 1;
  }
  return url.slice(0, end);
}

function isWebAddress(url: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

export function splitLinks(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimTrailing(match[0]);
    if (!isWebAddress(url)) continue;
    if (match.index > last) parts.push({ text: text.slice(last, match.index) });
    parts.push({ text: url, href: url });
    last = match.index + url.length;
  }
  if (last < text.length) parts.push({ text: text.slice(last) });
  return parts;
}
