import { describe, expect, it } from 'vitest';
import { optOutChange } from './opt-out';

// The inbox's badge follows a reply as the server reads it; a word the server honours but the
// dashboard missed left a client who wrote SAIR shown as reachable until the page was reloaded.
describe('optOutChange', () => {
  it.each(['STOP', 'Baja', 'alto.', '¡Baja!', 'ＳＴＯＰ', 'SAIR', ' Sair. ', 'PARAR', 'parar!'])(
    'reads %j as an opt-out',
    (text) => expect(optOutChange(text)).toBe(true),
  );

  it.each(['START', 'Álta', 'VOLTAR', ' voltar! ', 'ＶＯＬＴＡＲ'])('reads %j as opting back in', (text) =>
    expect(optOutChange(text)).toBe(false),
  );

  it.each(['quero sair', 'voltarei', 'stop please', '1', '', null, 'STOP'.repeat(20)])(
    'leaves %j alone',
    (text) => expect(optOutChange(text)).toBeNull(),
  );
});
