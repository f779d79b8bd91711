import { describe, expect, it } from 'vitest';
import { en } from './en';
import { es, type MessageKey } from './es';
import { pt } from './pt';

// The types hold the keys; only a test holds the placeholders: a translated `{count}` would show
// as "{contagem}" on screen, and a dropped one would hide the value.

// Texts that also show the `{variable}` syntax itself, with an example word each language picks:
// only the placeholders listed here are filled.
const FILLED: Partial<Record<MessageKey, readonly string[]>> = {
  'tpl.malformed': ['list'],
};

function placeholders(key: MessageKey, text: string): string {
  const names = [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  const filled = FILLED[key];
  return names
    .filter((name) => !filled || filled.includes(name))
    .sort()
    .join();
}

describe.each([
  ['en', en],
  ['pt', pt],
] as const)('the %s dictionary', (_, dict) => {
  it("has exactly Spanish's keys", () => {
    expect(Object.keys(dict).sort()).toEqual(Object.keys(es).sort());
  });

  it('keeps every placeholder of each Spanish text, and adds none', () => {
    const keys = Object.keys(es) as MessageKey[];
    const differing = keys.filter((key) => placeholders(key, es[key]) !== placeholders(key, dict[key]));
    expect(differing).toEqual([]);
  });

  it('leaves no text empty', () => {
    expect(Object.entries(dict).filter(([, text]) => !text.trim())).toEqual([]);
  });
});
