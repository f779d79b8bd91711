// Which Spanish dashboard texts a page switched to another language still shows: a key missing
// from a screen's t() call, a literal left in a component, a label the switch did not reach.
import type { Page } from 'playwright-core';
import { es, type MessageKey } from '../../../web/src/i18n/es.js';

/**
 * A dashboard dictionary other than Spanish. Loaded at run time: those files are web code
 * (extensionless imports for the bundler), which this project's NodeNext type check cannot follow.
 */
export async function loadDictionary(lang: 'en' | 'pt'): Promise<Record<MessageKey, string>> {
  const file = new URL(`../../../web/src/i18n/${lang}.ts`, import.meta.url).pathname;
  const module = (await import(file)) as Record<string, Record<MessageKey, string>>;
  const dict = module[lang];
  if (!dict) throw new Error(`web/src/i18n/${lang}.ts exports no \`${lang}\``);
  return dict;
}

/**
 * The Spanish texts that cannot appear in a page written in `dict`'s language: each Spanish text,
 * or the fixed parts of one with placeholders, unless the other language uses the same words
 * somewhere ("Enviar", "WhatsApp", "Email" are Portuguese too).
 */
export function spanishOnly(dict: Record<MessageKey, string>): string[] {
  const theirs = Object.values(dict);
  const parts = Object.values(es).flatMap((text) => text.split(/\{\w+\}/).map((part) => part.trim()));
  return [...new Set(parts)].filter((part) => part.length >= 4 && !theirs.some((t) => t.includes(part)));
}

/**
 * Every text the advisor can meet on the page: what it shows, reads out and offers to choose.
 * Text marked with another `lang` is left out: the language switch names each language in itself.
 */
function pageTexts(page: Page): Promise<string> {
  return page.evaluate(() => {
    const pageLang = document.documentElement.lang;
    const ours = (el: Element) => (el.closest('[lang]')?.getAttribute('lang') ?? pageLang) === pageLang;
    const texts = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const el = node.parentElement;
      if (el && ours(el) && (el instanceof HTMLOptionElement || el.checkVisibility())) {
        texts.push(node.textContent ?? '');
      }
    }
    for (const el of document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')) {
      if (!ours(el)) continue;
      for (const name of ['aria-label', 'placeholder', 'title', 'alt'])
        texts.push(el.getAttribute(name) ?? '');
    }
    return texts.join('\n');
  });
}

/** The Spanish-only texts the page shows, as whole words (so "Estado" is not found in "Estados"). */
export async function spanishLeftovers(page: Page, spanish: readonly string[]): Promise<string[]> {
  const text = await pageTexts(page);
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return spanish.filter((s) => new RegExp(`(?<!\\p{L})${escape(s)}(?!\\p{L})`, 'u').test(text));
}
