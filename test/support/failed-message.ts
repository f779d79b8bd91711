// A message that failed for good (not on WhatsApp, one attempt), written straight into the
// outbox: what the retry tests start from, without sending anything first.
import type { DbOrTx } from '../../src/db/client.js';
import { insertMessage } from '../../src/db/repositories/message.repository.js';

export function insertFailedMessage(db: DbOrTx, advisorId: string, phone: string, purpose = 'manual') {
  return insertMessage(db, advisorId, {
    direction: 'outbound',
    phone,
    type: 'text',
    text: 'Hola',
    status: 'failed',
    errorCode: 'not_on_whatsapp',
    errorMessage: 'The number is not on WhatsApp.',
    attempts: 1,
    failedAt: new Date(),
    source: purpose === 'manual' ? 'api' : 'automation',
    purpose,
  });
}
