// Drives the status machine not_configured → qr_pending → connecting → connected → disconnected
// from the gateway's qrcode.updated / connection.update / logout.instance events, and from state
// polls (webhooks can be lost). Each change is stored, recorded in the history and pushed live.
import {
  findConfig,
  recordConnectionEvent,
  transitionConfig,
  type ConfigPatch,
} from '../../db/repositories/whatsapp-config.repository.js';
import {
  isGatewayError,
  type ConnectionEvent,
  type GatewayDateTime,
  type LogoutEvent,
  type QrEvent,
  type QrLimitEvent,
} from '../../gateway/index.js';
import { nowOf, type DomainContext } from '../context.js';
import { instanceRefOf } from './instance-credentials.js';
import { NO_QR, qrExpiryOf, qrImageOf, switchingToPairing } from './qr-image.js';
import { SENDING_PAUSED } from './pause-sending.js';

export type ConnectionSignal = QrEvent | QrLimitEvent | ConnectionEvent | LogoutEvent;

const CLOSE_ALERTS: Record<number, string> = {
  401: 'logged_out',
  403: 'forbidden',
  402: 'account_restricted',
  406: 'account_banned',
};

/** How many times a signal is decided again after losing a race with another signal. */
const MAX_DECISIONS = 5;

export async function applyConnectionEvent(
  ctx: DomainContext,
  advisorId: string,
  signal: ConnectionSignal,
): Promise<void> {
  // Webhooks are processed in parallel: a QR refresh may be decided on a row that an "open"
  // changes before the QR is stored. Each write is conditional on the status it was decided on;
  // when it lost, the signal is decided again on the new row (and is then usually moot).
  for (let attempt = 1; attempt <= MAX_DECISIONS; attempt++) {
    const outcome = await decideAndApply(ctx, advisorId, signal);
    if (outcome !== 'lost_race') return;
  }
  ctx.logger.warn({ advisorId, signal: signal.type }, 'connection signal kept losing races; dropped');
}

async function decideAndApply(
  ctx: DomainContext,
  advisorId: string,
  signal: ConnectionSignal,
): Promise<'done' | 'lost_race'> {
  const row = await findConfig(ctx.db, advisorId);
  if (!row || !row.instanceName) return 'done';
  const now = nowOf(ctx);
  let patch: ConfigPatch | null = null;
  let reason: string | null = null;
  let live: Record<string, unknown> = {};

  switch (signal.type) {
    case 'qr': {
      if (ofEndedQrSession(row, signal)) return 'done';
      // After a connect switched to a pairing code every QR of the new socket carries one: a
      // plain QR over the code on show is the ended socket's, delivered late, and would hide it.
      if (switchingToPairing(row) && row.qrPairingCode && !signal.qr.pairingCode) return 'done';
      const image = await qrImageOf(signal.qr);
      const qr = { image, pairingCode: signal.qr.pairingCode, expiresAt: qrExpiryOf(row, image, now) };
      patch = {
        status: 'qr_pending',
        qrCode: qr.image,
        qrPairingCode: qr.pairingCode,
        qrExpiresAt: qr.expiresAt,
        alert: null,
      };
      live = { qr };
      break;
    }
    case 'qr_limit':
      // The limit of a QR session that ended before the link, delivered late (a retry keeps its
      // first attempt's body): the same rules as for that session's QRs above. Applied, it marked
      // the linked number disconnected, and its sends waited for a reconnection that had happened.
      if (ofEndedQrSession(row, signal)) return 'done';
      patch = { status: 'disconnected', ...NO_QR, alert: 'qr_limit_reached' };
      reason = 'qr_limit_reached';
      break;
    case 'connection':
      // A state of the socket before the one linked now (its close, its "connecting"), late.
      if (signal.state !== 'open' && sentBeforeLink(row, signal)) return 'done';
      // The open of the link that has ended since, again (a retry with its first body, or applied
      // after its close): it would bring back "connected" and erase why the number was closed. A
      // real reconnection of that link is dated after it; a new link starts from a connect, which
      // leaves `disconnected` first. Only while disconnected, as for a QR: once a connect started
      // over, the gateway may be another one, whose clock says nothing next to the stored date.
      // The same holds for any open sent before the close that disconnected the number, though
      // dated after the link: a silent reconnect of that link, or the link's first open whose
      // delivery failed and came back after the close.
      if (
        signal.state === 'open' &&
        row.status === 'disconnected' &&
        (sameOrOlderLink(row, signal) || sentBeforeClose(row, signal))
      ) {
        return 'done';
      }
      // A new connect cleared the close's date and shows a QR: an open delivered now may be one
      // of a link that has ended, retried with its first body, and no date of ours can tell (the
      // gateway may have changed with the connect). The gateway's own state can: applied anyway,
      // it showed "connected" over the QR the gateway was still rotating, released the waiting
      // sends into a closed socket, and neither a poll nor a connect undid it (both take the
      // gateway's "connecting" for a silent reconnect of a linked number).
      if (
        signal.state === 'open' &&
        signal.dateTime &&
        (row.status === 'qr_pending' || row.status === 'connecting') &&
        !(await gatewayMayBeOpen(ctx, row))
      ) {
        return 'done';
      }
      if (signal.state === 'open') {
        const phone = signal.phone ?? row.phoneNumber;
        patch = {
          status: 'connected',
          phoneNumber: phone,
          profileName: signal.profileName ?? row.profileName,
          connectedAt: row.status === 'connected' && row.connectedAt ? row.connectedAt : now,
          // A new link is dated by its own open alone (the gateway may have changed since the
          // last); repeated opens of one link arrive in any order, and the latest counts.
          linkDateTime:
            row.status === 'connected'
              ? laterOf(row.linkDateTime, signal.dateTime)
              : (signal.dateTime ?? null),
          closeDateTime: null,
          ...warmupOf(row, phone, now),
          ...NO_QR,
          // A repeated "open" (Baileys reconnects silently) must not lift a failure pause; a real
          // reconnection, from disconnected, does.
          alert: row.status === 'connected' && row.alert === SENDING_PAUSED ? row.alert : null,
        };
      } else if (signal.state === 'connecting') {
        // Evolution reconnects silently (408, 428, 515…): while connected or showing a QR, a
        // "connecting" is noise. After a disconnect it is real progress.
        if (row.status !== 'disconnected' && row.status !== 'not_configured') return 'done';
        patch = { status: 'connecting' };
      } else if (signal.state === 'refused') {
        patch = { status: 'disconnected', ...NO_QR, alert: 'qr_limit_reached' };
        reason = `refused_${signal.statusReason}`;
      } else {
        // Disconnected by the advisor (no alert): Evolution reports that logout as close 401,
        // which would read as "your phone logged out". After a disconnect with an alert (a
        // LOGOUT_INSTANCE processed before its close), the close's own reason still replaces it:
        // webhooks are applied in parallel, and "forbidden" says more than "logged out".
        if (row.status === 'disconnected' && row.alert === null) return 'done';
        // The logout a connect made to ask for a pairing code (close 401 of a socket showing a
        // QR): the instance is connecting again with the number, nothing was logged out.
        if (signal.statusReason === 401 && switchingToPairing(row)) return 'done';
        const alert = CLOSE_ALERTS[signal.statusReason ?? 0] ?? 'connection_closed';
        // A close without a telling reason never replaces one that has it: a state poll decided
        // on the row before the webhook's close 402 was stored (the dashboard's refresh, the
        // health check) reports a bare close, and "restricted" must not turn into "closed".
        if (row.status === 'disconnected' && alert === 'connection_closed') return 'done';
        patch = { status: 'disconnected', ...NO_QR, alert };
        reason = `close_${signal.statusReason}`;
      }
      break;
    case 'logout':
      if (row.status === 'disconnected') return 'done';
      if (sentBeforeLink(row, signal)) return 'done';
      if (switchingToPairing(row)) return 'done'; // the switch's own logout, as above
      patch = { status: 'disconnected', ...NO_QR, alert: 'logged_out' };
      reason = 'logout';
      break;
  }
  if (!patch) return 'done';
  // Dated closes are remembered until the next link (see sentBeforeClose); an undated one (a
  // state poll) keeps the date of one that was delivered.
  if (patch.status === 'disconnected' && row.status !== 'not_configured') {
    patch.closeDateTime = laterOf(row.closeDateTime, 'dateTime' in signal ? signal.dateTime : null);
  }
  const applied = await transitionConfig(
    ctx.db,
    advisorId,
    { ...patch, status: patch.status ?? row.status, lastStatusAt: now },
    // The patch's alert was decided on this row's: a pause set meanwhile (account safety) makes
    // the write lose, and the signal is decided again on the paused row, which keeps the pause.
    // A removal meanwhile makes it lose too: decided again, the signal finds no instance.
    { status: row.status, alert: row.alert, instanceName: row.instanceName },
  );
  if (!applied) return 'lost_race';
  const { row: updated, changed } = applied;
  if (changed) await recordConnectionEvent(ctx.db, advisorId, updated.status, reason);
  await ctx.events.publish(advisorId, {
    type: 'status',
    data: {
      status: updated.status,
      phoneNumber: updated.phoneNumber,
      profileName: updated.profileName,
      alert: updated.alert,
      ...live,
    },
  });
  if (changed && updated.status === 'connected') await ctx.wakeWaitingSends?.(advisorId);
  return 'done';
}

/**
 * Whether the gateway may be linked now: false only when it says so (another state, or no such
 * instance). A gateway that cannot answer decides nothing, and the webhook is believed as before.
 */
async function gatewayMayBeOpen(
  ctx: DomainContext,
  row: Parameters<typeof instanceRefOf>[1],
): Promise<boolean> {
  try {
    const ref = instanceRefOf(ctx.box, row);
    return ref === null || (await ctx.gateway.connectionState(ref)) === 'open';
  } catch (err) {
    return !(isGatewayError(err) && err.code === 'instance_not_found');
  }
}

type Dated = { dateTime?: GatewayDateTime | null };

/**
 * Whether the signal was sent before `mark` (or at it, with `orAt`), both the gateway's own
 * `date_time`; without either (a state poll, an open seen only by polling) nothing is decided.
 */
function sentBefore(mark: Date | null, signal: Dated, orAt = false): boolean {
  if (!mark || !signal.dateTime) return false;
  const sent = signal.dateTime.getTime();
  return orAt ? sent <= mark.getTime() : sent < mark.getTime();
}

/**
 * Sent by the gateway before the `open` of the number linked now: Evolution retries a failed
 * delivery for ~20 min with its first attempt's body (evolution-api.md §4.2), so the close 401 and
 * LOGOUT_INSTANCE of a pairing switch's logout, or of a disconnect, can arrive after the phone
 * linked again, and are that earlier socket's end, not this link's. A logout after the link is
 * dated after its open and still counts.
 */
const sentBeforeLink = (row: { linkDateTime: Date | null }, signal: Dated) =>
  sentBefore(row.linkDateTime, signal);

/** An `open` dated no later than the link's own open: that open again, or one before it. */
const sameOrOlderLink = (row: { linkDateTime: Date | null }, signal: Dated) =>
  sentBefore(row.linkDateTime, signal, true);

/**
 * Sent by the gateway before the close that disconnected the number: an `open` or QR of before
 * the end, delivered late (a retry keeps its first attempt's date). A new link after the close is
 * dated after it, and one that starts from a connect is not decided on this (only while
 * disconnected). Strictly before: an open in the close's own millisecond is let through, and a
 * state poll would find the truth anyway.
 */
const sentBeforeClose = (row: { closeDateTime: Date | null }, signal: Dated) =>
  sentBefore(row.closeDateTime, signal);

/**
 * A QR or QR-limit signal of a QR session that is over: any once the number is linked, or, while
 * it is disconnected, one dated before the link or the close (a retry delivered late with its
 * first body). Applied, it would hide why the number was disconnected, or mark a linked one
 * disconnected (see the same rule for `open` above).
 */
const ofEndedQrSession = (
  row: { status: string; linkDateTime: Date | null; closeDateTime: Date | null },
  signal: Dated,
) =>
  row.status === 'connected' ||
  (row.status === 'disconnected' && (sentBeforeLink(row, signal) || sentBeforeClose(row, signal)));

/** The later of two gateway dates: opens are applied in any order, and a retry may come last. */
function laterOf(stored: Date | null, sent: GatewayDateTime | null | undefined): Date | null {
  if (!sent) return stored;
  return stored && stored.getTime() > sent.getTime() ? stored : sent;
}

/**
 * The warm-up a link continues: the same number linked again (after its phone lost the
 * connection, a logout, even a removal) keeps the warm-up it was in, and so does a number linked
 * here before another one (its phone back from repair after a spare); only a number never linked
 * here starts its own. An "open" that does not say which number is the one linked before. The
 * number it replaces is remembered with its warm-up: until 2026-12-06 only the current number
 * was, and an advisor's own number linked again after a spare was put back to day 0.
 */
function warmupOf(
  row: { warmupPhone: string | null; warmupSince: Date | null; warmupEarlier: Record<string, string> },
  phone: string | null,
  now: Date,
): { warmupPhone: string | null; warmupSince: Date; warmupEarlier: Record<string, string> } {
  const earlier = row.warmupEarlier ?? {};
  if (row.warmupSince && (phone === null || phone === row.warmupPhone)) {
    return { warmupPhone: row.warmupPhone, warmupSince: row.warmupSince, warmupEarlier: earlier };
  }
  const next = { ...earlier };
  if (row.warmupPhone && row.warmupSince) next[row.warmupPhone] = row.warmupSince.toISOString();
  const known = phone !== null ? next[phone] : undefined;
  const since = known !== undefined && !Number.isNaN(Date.parse(known)) ? new Date(known) : now;
  if (phone !== null) delete next[phone];
  return { warmupPhone: phone, warmupSince: since, warmupEarlier: next };
}
