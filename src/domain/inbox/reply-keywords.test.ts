import { describe, expect, it } from 'vitest';
import { appointmentAnswerOf, normalizeReply, optKeywordOf } from './reply-keywords.js';

describe('optKeywordOf', () => {
  it.each(['STOP', 'stop', ' Stop ', 'BAJA', 'baja', 'Bája', 'ALTO', 'alto.', '¡Baja!', '\tstop\n'])(
    'reads %j as an opt-out',
    (text) => expect(optKeywordOf(text)).toBe('opt_out'),
  );

  it.each(['START', 'start', 'ALTA', 'Álta', ' alta '])('reads %j as opting back in', (text) =>
    expect(optKeywordOf(text)).toBe('opt_in'),
  );

  // Full-width forms (Asian keyboards, some emoji pickers) and other compatibility characters.
  it.each(['ＳＴＯＰ', 'ｓｔｏｐ', '！ＳＴＯＰ！', '\u3000ＢＡＪＡ\u3000', 'ＡＬＴＯ'])(
    'reads %j as an opt-out',
    (text) => expect(optKeywordOf(text)).toBe('opt_out'),
  );

  it.each(['ＳＴＡＲＴ', 'ＡＬＴＡ'])('reads %j as opting back in', (text) =>
    expect(optKeywordOf(text)).toBe('opt_in'),
  );

  // The word is the trimmed text: padding, however long, does not hide it.
  it.each([
    'STOP' + ' '.repeat(40),
    '\n'.repeat(20) + 'Baja' + '\n'.repeat(20),
    '\u3000'.repeat(50) + 'alto',
  ])('reads the padded %j as an opt-out', (text) => expect(optKeywordOf(text)).toBe('opt_out'));

  // What the Portuguese (Brazilian) reminder and follow-up offer, and the other usual word there.
  it.each(['SAIR', 'sair', ' Sair. ', 'ＳＡＩＲ', 'PARAR', 'parar!'])(
    'reads the Portuguese %j as an opt-out',
    (text) => expect(optKeywordOf(text)).toBe('opt_out'),
  );

  // The Portuguese way back in: no other set holds it, so it can be nothing else.
  it.each(['VOLTAR', 'voltar', ' Voltar! ', 'ＶＯＬＴＡＲ', 'vóltar'])(
    'reads the Portuguese %j as opting back in',
    (text) => expect(optKeywordOf(text)).toBe('opt_in'),
  );

  it.each(['VOLTAR', 'voltar'])('does not read %j as an answer to a reminder', (text) =>
    expect(appointmentAnswerOf(text)).toBeNull(),
  );

  it.each([
    'quero voltar',
    'voltarei',
    'stop please',
    'no me des de baja',
    'stopped',
    'bajar',
    'quero sair',
    'saír agora',
    '',
    null,
    'STOP'.repeat(20),
  ])('leaves %j alone', (text) => expect(optKeywordOf(text)).toBeNull());
});

describe('appointmentAnswerOf', () => {
  it.each(['1', ' 1 ', 'SI', 'Sí', 'sí!', 'CONFIRMO', 'confirmo.'])('reads %j as confirmed', (text) =>
    expect(appointmentAnswerOf(text)).toBe('confirmed'),
  );

  it.each(['１', 'ＳＩ'])('reads the full-width %j as confirmed', (text) =>
    expect(appointmentAnswerOf(text)).toBe('confirmed'),
  );

  it.each(['2', 'NO', 'no.', 'CANCELAR', 'Cancelar'])('reads %j as a cancel request', (text) =>
    expect(appointmentAnswerOf(text)).toBe('cancel_requested'),
  );

  it.each(['SIM', 'sim', 'Sim!', ' sim. ', 'Confirmo'])('reads the Portuguese %j as confirmed', (text) =>
    expect(appointmentAnswerOf(text)).toBe('confirmed'),
  );

  it.each(['NÃO', 'não', 'Não.', 'nao', 'Cancelar'])('reads the Portuguese %j as a cancel request', (text) =>
    expect(appointmentAnswerOf(text)).toBe('cancel_requested'),
  );

  it('reads a padded answer as the answer', () => {
    expect(appointmentAnswerOf(' '.repeat(50) + '1' + '\n'.repeat(10))).toBe('confirmed');
  });

  it.each(['12', 'si, pero tarde', 'nos vemos', 'sim, mas atrasado', 'não sei', '3', null, '   '])(
    'leaves %j alone',
    (text) => expect(appointmentAnswerOf(text)).toBeNull(),
  );
});

describe('normalizeReply', () => {
  it('drops accents, case and surrounding punctuation', () => {
    expect(normalizeReply('  ¡SÍ, CONFIRMO! 👍 ')).toBe('si, confirmo');
  });

  it('folds compatibility forms (NFKC) before accents and case', () => {
    expect(normalizeReply('ＢＡ́ＪＡ')).toBe('baja');
    expect(normalizeReply('ﬁn')).toBe('fin');
  });
});
