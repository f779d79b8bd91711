// The advisor's clients, in phone order; `optedOut: true` is the do-not-contact list.
import { listClients as listClientRows } from '../../db/repositories/inbox.repository.js';
import type { DomainContext } from '../context.js';
import { clientView, type ClientView } from './client-view.js';
import { assertInboxEnabled } from './inbox-feature.js';

export async function listClients(
  ctx: DomainContext,
  advisorId: string,
  query: { optedOut?: boolean; afterPhone?: string; limit: number },
): Promise<{ items: ClientView[]; nextAfter: string | null }> {
  await assertInboxEnabled(ctx, advisorId);
  const rows = await listClientRows(ctx.db, advisorId, query);
  const last = rows[rows.length - 1];
  return { items: rows.map(clientView), nextAfter: rows.length === query.limit && last ? last.phone : null };
}
