// Platform administrators: ADMIN_EMAIL's account is promoted at start-up (it may have signed up
// before the variable was set), and `create-admin` makes one from the command line.
import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { user } from '../db/schema/index.js';
import type { Auth } from './auth.js';

export async function promoteAdmin(db: Db, email: string): Promise<boolean> {
  const rows = await db
    .update(user)
    .set({ role: 'admin', updatedAt: new Date() })
    .where(eq(sql`lower(${user.email})`, email.toLowerCase()))
    .returning({ id: user.id });
  return rows.length > 0;
}

export async function createAdmin(
  auth: Auth,
  db: Db,
  input: { email: string; password: string; name: string },
): Promise<string> {
  const existing = await db
    .select({ id: user.id })
    .from(user)
    .where(eq(sql`lower(${user.email})`, input.email.toLowerCase()))
    .limit(1);
  if (existing[0]) {
    await promoteAdmin(db, input.email);
    return existing[0].id;
  }
  const created = await auth.api.signUpEmail({
    body: { email: input.email, password: input.password, name: input.name },
  });
  await promoteAdmin(db, input.email);
  return created.user.id;
}
