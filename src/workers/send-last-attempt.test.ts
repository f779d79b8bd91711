import { describe, expect, it } from 'vitest';
import { SentButUnrecordedError } from '../domain/messages/deliver-message.js';
import { UncertainSendError } from '../jobs/catalogue.js';
import { lastAttemptEnd } from './send-last-attempt.js';

const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });
const answer = { evolutionMessageId: 'ABC', remoteJid: '34612345678@s.whatsapp.net' };

describe('lastAttemptEnd', () => {
  it('holds a job through a database or Redis outage', () => {
    expect(lastAttemptEnd(pgError('57P01', 'terminating connection due to administrator command'))).toBe(
      'hold',
    );
    expect(lastAttemptEnd(new Error('Failed query: select 1', { cause: pgError('ECONNREFUSED', 'x') }))).toBe(
      'hold',
    );
    expect(lastAttemptEnd(Object.assign(new Error('x'), { name: 'MaxRetriesPerRequestError' }))).toBe('hold');
  });

  it('leaves to the sweeper a message WhatsApp may have, even when the database is why', () => {
    const down = pgError('57P01', 'terminating connection due to administrator command');
    expect(lastAttemptEnd(new SentButUnrecordedError(answer, new Date(), down))).toBe('leave');
    expect(lastAttemptEnd(new UncertainSendError('gateway_timeout: no answer'))).toBe('leave');
  });

  it('fails the message for anything else', () => {
    expect(lastAttemptEnd(pgError('22003', 'integer out of range'))).toBe('fail');
    expect(lastAttemptEnd(new TypeError("Cannot read properties of null (reading 'trim')"))).toBe('fail');
    expect(lastAttemptEnd('a thrown string')).toBe('fail');
  });
});
