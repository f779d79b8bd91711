// Which delivery and read receipts of a batch count as applied when their update moved nothing
// (settledReceiptKeys, the last step of applying receipts on arrival), against a real database.
// Only a receipt whose message is already where it would take it (or finished otherwise) counts:
// those are answered without being stored. Every other one is stored by the webhook writer and
// applied by the worker. The case that matters: a send recorded after the receipts' update ran
// (its status `sent`) is recorded but not settled by its delivery receipt; counting it as applied
// because it is recorded would lose that receipt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receiptKey, settledReceiptKeys } from '../../src/db/repositories/message.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createAdvisor, insertMessages } from '../templates/db-fixtures.js';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.destroy();
});

describe('receipts that moved nothing on arrival', () => {
  it('count as applied only when their message is already at or past their status, for its own advisor', async () => {
    const db = database.db;
    const [ana, eva] = [await createAdvisor(db), await createAdvisor(db)];
    const failed = (errorCode: string) => ({ status: 'failed', failedAt: new Date(), errorCode });
    await insertMessages(db, ana, [
      { phone: '+34611000001', text: 'sent since', evolutionMessageId: 'E-SENT' },
      { phone: '+34611000002', text: 'delivered', evolutionMessageId: 'E-DELIVERED', status: 'delivered' },
      { phone: '+34611000003', text: 'read', evolutionMessageId: 'E-READ', status: 'read' },
      {
        phone: '+34611000004',
        text: 'wa failed',
        evolutionMessageId: 'E-WA-FAILED',
        ...failed('delivery_failed'),
      },
      {
        phone: '+34611000005',
        text: 'our failure',
        evolutionMessageId: 'E-OURS',
        ...failed('gateway_rejected'),
      },
      { phone: '+34611000006', text: 'cancelled', evolutionMessageId: 'E-CANCELLED', status: 'cancelled' },
    ]);
    await insertMessages(db, eva, [
      { phone: '+34611000007', text: 'eva', evolutionMessageId: 'E-EVA', status: 'read' },
    ]);
    const receipt = (advisorId: string, evolutionMessageId: string, status: 'delivered' | 'read') => ({
      advisorId,
      evolutionMessageId,
      status,
    });

    const settled = await settledReceiptKeys(db, [
      receipt(ana, 'E-SENT', 'delivered'), // recorded, would move: not settled
      receipt(ana, 'E-SENT', 'read'),
      receipt(ana, 'E-DELIVERED', 'delivered'), // a duplicate: settled
      receipt(ana, 'E-DELIVERED', 'read'), // would move: not settled
      receipt(ana, 'E-READ', 'delivered'), // overtaken: settled
      receipt(ana, 'E-READ', 'read'),
      receipt(ana, 'E-WA-FAILED', 'delivered'), // revives WhatsApp's own failure: not settled
      receipt(ana, 'E-OURS', 'read'), // the pipeline's failure stays: settled
      receipt(ana, 'E-CANCELLED', 'delivered'),
      receipt(ana, 'E-UNKNOWN', 'delivered'), // no message: not settled
      receipt(ana, 'E-EVA', 'delivered'), // Eva's message named by Ana's instance: not Ana's
      receipt(eva, 'E-EVA', 'delivered'),
    ]);
    // Per receipt: E-DELIVERED's duplicate delivery receipt is settled, its read receipt is not.
    expect([...settled].sort()).toEqual(
      [
        receiptKey(ana, 'E-DELIVERED', 'delivered'),
        receiptKey(ana, 'E-READ', 'delivered'),
        receiptKey(ana, 'E-READ', 'read'),
        receiptKey(ana, 'E-OURS', 'read'),
        receiptKey(ana, 'E-CANCELLED', 'delivered'),
        receiptKey(eva, 'E-EVA', 'delivered'),
      ].sort(),
    );
  });

  it('answer an empty batch with an empty set', async () => {
    expect(await settledReceiptKeys(database.db, [])).toEqual(new Set());
  });
});
