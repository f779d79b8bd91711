// The dashboard mirrors the server's opt-out and opt-in words so the inbox badge changes the
// moment a reply arrives (web/src/screens/inbox/opt-out.ts); the two lists are kept apart (web
// imports nothing from src/), so this holds them to the same reading.
import { describe, expect, it } from 'vitest';
import { optKeywordOf } from '../../src/domain/inbox/reply-keywords.js';
import { optOutChange } from '../../web/src/screens/inbox/opt-out.js';

const REPLIES = [
  ...['stop', 'baja', 'alto', 'sair', 'parar', 'start', 'alta', 'voltar'].flatMap((w) => [
    w,
    w.toUpperCase(),
    ` ¡${w[0]!.toUpperCase()}${w.slice(1)}! `,
    w.replace(/[a-z]/g, (c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)),
  ]),
  'Bája',
  'vóltar',
  'quero sair',
  'stop please',
  'sim',
  '1',
  '',
  ' '.repeat(50) + 'stop',
];

describe('the dashboard reads opt words as the server does', () => {
  it.each(REPLIES)('%j', (text) => {
    const server = optKeywordOf(text);
    expect(optOutChange(text)).toBe(server === null ? null : server === 'opt_out');
  });
});
