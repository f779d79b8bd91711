import { describe, expect, it } from 'vitest';
import { splitLinks } from './text-links';

describe('splitLinks', () => {
  it('leaves text without an address whole', () => {
    expect(splitLinks('hola, ¿a qué hora?')).toEqual([{ text: 'hola, ¿a qué hora?' }]);
    expect(splitLinks('')).toEqual([]);
  });

  it("finds a shared location's map link on its own line", () => {
    expect(splitLinks('📍 Sol, Madrid\nhttps://maps.google.com/?q=40.4168,-3.7038')).toEqual([
      { text: '📍 Sol, Madrid\n' },
      {
        text: 'https://maps.google.com/?q=40.4168,-3.7038',
        href: 'https://maps.google.com/?q=40.4168,-3.7038',
      },
    ]);
  });

  it('leaves the punctuation that ends a sentence outside the address', () => {
    expect(splitLinks('Mira https://x.example/receta. ¿Vale?')).toEqual([
      { text: 'Mira ' },
      { text: 'https://x.example/receta', href: 'https://x.example/receta' },
      { text: '. ¿Vale?' },
    ]);
    expect(splitLinks('(ver http://x.example/a)')).toEqual([
      { text: '(ver ' },
      { text: 'http://x.example/a', href: 'http://x.example/a' },
      { text: ')' },
    ]);
    // A bracket the address opened itself stays in it.
    expect(splitLinks('https://es.wikipedia.org/wiki/Dieta_(nutrición)')).toEqual([
      {
        text: 'https://es.wikipedia.org/wiki/Dieta_(nutrición)',
        href: 'https://es.wikipedia.org/wiki/Dieta_(nutrición)',
      },
    ]);
  });

  it('links only http and https, and several in one text', () => {
    expect(splitLinks('javascript:alert(1) ftp://x.example')).toEqual([
      { text: 'javascript:alert(1) ftp://x.example' },
    ]);
    expect(splitLinks('https://a.example y https://b.example')).toEqual([
      { text: 'https://a.example', href: 'https://a.example' },
      { text: ' y ' },
      { text: 'https://b.example', href: 'https://b.example' },
    ]);
    // "https://" alone is no address.
    expect(splitLinks('https://')).toEqual([{ text: 'https://' }]);
  });
});
