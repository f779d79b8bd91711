// Delivery receipts after a send: MESSAGES_UPDATE with the flat payload (reference §4.4), one MessageUpdate
// row per status for findStatusMessage. Receipts that fall due while the phone is offline wait for `open`.
import type { EmulatorContext } from '../core/context.js';
import type { Instance, StoredMessage } from '../core/instance.js';
import { rowId } from '../core/ids.js';
import type { StatusDelays } from '../core/options.js';

export const RECEIPT_STATUSES = ['SERVER_ACK', 'DELIVERY_ACK', 'READ', 'PLAYED', 'ERROR'] as const;
export type ReceiptStatus = (typeof RECEIPT_STATUSES)[number];

export function currentStatusDelays(ctx: EmulatorContext): StatusDelays | null {
  const faulted = ctx.faults.current.statusDelaysMs;
  return faulted !== undefined ? faulted : ctx.settings.statusDelaysMs;
}

export function emitReceipt(
  ctx: EmulatorContext,
  instance: Instance,
  stored: StoredMessage,
  status: ReceiptStatus,
): void {
  const { key } = stored.wire;
  instance.statusRows.push({
    id: rowId(),
    keyId: key.id,
    remoteJid: key.remoteJid,
    fromMe: key.fromMe,
    participant: null,
    pollUpdates: null,
    status,
    messageId: stored.rowId,
    instanceId: instance.id,
  });
  ctx.webhooks.emit(instance, 'messages.update', {
    keyId: key.id,
    remoteJid: key.remoteJid,
    fromMe: key.fromMe,
    status,
    instanceId: instance.id,
    messageId: stored.rowId,
  });
}

/** SERVER_ACK → DELIVERY_ACK → READ, each delay counted from the previous receipt. */
export function scheduleReceipts(ctx: EmulatorContext, instance: Instance, stored: StoredMessage): void {
  const delays = currentStatusDelays(ctx);
  if (!delays) return;
  const steps: [ReceiptStatus, number][] = [
    ['SERVER_ACK', delays.serverAck],
    ['DELIVERY_ACK', delays.deliveryAck],
    ['READ', delays.read],
  ];
  const deliver = (index: number): void => {
    const step = steps[index];
    if (!step || ctx.instances.get(instance.name) !== instance) return;
    if (instance.state !== 'open') {
      instance.pendingReceipts.push(() => deliver(index));
      return;
    }
    emitReceipt(ctx, instance, stored, step[0]);
    schedule(index + 1);
  };
  const schedule = (index: number): void => {
    const step = steps[index];
    if (step) ctx.timers.after(step[1], () => deliver(index));
  };
  schedule(0);
}
