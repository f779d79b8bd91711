// An outbound text written to the outbox as POST /send writes it, but with no job: only the test
// acts on it (claims it, sends it, records it), step by step.
import { writeOutbound } from '../../src/db/repositories/outbox-write.repository.js';
import type { DbOrTx } from '../../src/db/client.js';

export function unqueuedTextRow(db: DbOrTx, advisorId: string, phone: string, text: string) {
  return writeOutbound(db, advisorId, {
    media: null,
    message: {
      direction: 'outbound',
      phone,
      type: 'text',
      text,
      status: 'queued',
      source: 'api',
      purpose: 'manual',
    },
    audit: { actorType: 'advisor', actorId: advisorId, action: 'message.send', content: { text } },
    client: { phone, name: null, nameGiven: false, at: new Date() },
  });
}
