// The advisor's account row (better-auth's `user`), read for what the service shows of it.
import { eq } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { user } from '../schema/index.js';

/** The name the advisor signed up with ({nombre_asesor} in messages); null when there is no such account. */
export async function findAdvisorName(db: DbOrTx, advisorId: string): Promise<string | null> {
  const [row] = await db.select({ name: user.name }).from(user).where(eq(user.id, advisorId)).limit(1);
  return row?.name ?? null;
}
