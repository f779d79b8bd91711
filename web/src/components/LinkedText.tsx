// A message's text with its web addresses as links, opened in a new tab (a client's link, the map
// of a shared location). React escapes the text; only http(s) addresses become links.
import { splitLinks } from '../lib/text-links';

export function LinkedText({ text }: { text: string }) {
  return (
    <>
      {splitLinks(text).map((part, i) =>
        part.href ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer">
            {part.text}
          </a>
        ) : (
          part.text
        ),
      )}
    </>
  );
}
