import { describe, expect, it } from 'vitest';
import type { MessageStatusEvent, WebhookEvent } from '../../gateway/index.js';
import { arrivalReceipts } from './apply-message-status.js';

const receipt = (
  status: MessageStatusEvent['status'],
  fromMe: boolean | null = true,
): MessageStatusEvent => ({
  type: 'message_status',
  instance: 'adv-1',
  evolutionMessageId: `3A${status ?? 'NONE'}`,
  remoteJid: '34612345678@s.whatsapp.net',
  fromMe,
  status,
  rawStatus: null,
});

describe('arrivalReceipts', () => {
  it('takes a webhook made only of delivery and read receipts of ours', () => {
    const events = [receipt('delivered'), receipt('read', null)];
    expect(arrivalReceipts(events)).toEqual(events);
  });

  it('leaves everything else to be stored: sent and failed receipts, the client’s own, mixed, empty', () => {
    expect(arrivalReceipts([receipt('sent')])).toBeNull();
    expect(arrivalReceipts([receipt('failed')])).toBeNull();
    expect(arrivalReceipts([receipt(null)])).toBeNull();
    expect(arrivalReceipts([receipt('read', false)])).toBeNull();
    const other = { type: 'ignored' } as unknown as WebhookEvent;
    expect(arrivalReceipts([receipt('delivered'), other])).toBeNull();
    expect(arrivalReceipts([])).toBeNull();
  });
});
