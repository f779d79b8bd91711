// A platform admin acts on an advisor's account through better-auth's admin routes
// (/api/auth/admin/*): ban, set the role, impersonate (and so read the advisor's clients'
// messages), set the password, end sessions, change or create the account. None of it was in the
// advisor's audit log: an admin could impersonate an advisor or change their password with no
// trace. Each successful call is now an entry in the target's log, by the admin; a refused call
// writes nothing, and no password is ever written.
import { and, eq, like } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema/index.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, useServiceWithAdmin } from '../support/admin.js';

const setup = useServiceWithAdmin();
let adminId: string;
beforeAll(async () => {
  adminId = (await setup.admin.get('/api/auth/get-session')).body.user.id as string;
});

const NEW_PASSWORD = 'una-clave-nueva-1234';
const CREATED_PASSWORD = 'clave-de-alta-5678';

/** The admin.* entries of an account's log, oldest first, straight from the table. */
async function adminEntriesOf(advisorId: string) {
  const rows = await setup.service.database.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.advisorId, advisorId), like(auditLog.action, 'admin.%')))
    .orderBy(auditLog.id);
  return rows.map(({ action, actorType, actorId, content }) => ({ action, actorType, actorId, content }));
}

/** The admin.* entries as the advisor reads them (GET /api/whatsapp/audit), newest first. */
async function adminEntriesSeenBy(client: HttpClient) {
  const res = await client.get('/api/whatsapp/audit');
  expect(res.status).toBe(200);
  return (res.body.items as { action: string; actorType: string; actorId: string; content: unknown }[])
    .filter((e) => e.action.startsWith('admin.'))
    .map(({ action, actorType, actorId, content }) => ({ action, actorType, actorId, content }));
}

const byAdmin = (action: string, content: Record<string, unknown> = {}) => ({
  action,
  actorType: 'admin',
  actorId: adminId,
  content,
});

/** A second sign-in of the admin, so impersonating does not swap the shared client's session. */
async function adminSignedIn(): Promise<HttpClient> {
  const c = new HttpClient(setup.service.url);
  const res = await c.post('/api/auth/sign-in/email', { email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  expect(res.status).toBe(200);
  return c;
}

describe("a platform admin's action on an advisor's account", () => {
  it("ban and unban are in the advisor's log, by the admin, with the reason and the expiry", async () => {
    const target = await signUpAdvisor(setup.service.url, 'Baneada');
    const bystander = await signUpAdvisor(setup.service.url, 'Ajena');
    const banned = await setup.admin.post('/api/auth/admin/ban-user', {
      userId: target.userId,
      banReason: 'spam',
      banExpiresIn: 3600,
    });
    expect(banned.status).toBe(200);
    expect((await setup.admin.post('/api/auth/admin/unban-user', { userId: target.userId })).status).toBe(
      200,
    );

    const expiresAt = banned.body.user.banExpires as string;
    expect(Math.abs(new Date(expiresAt).getTime() - Date.now() - 3_600_000)).toBeLessThan(60_000);
    expect(await adminEntriesOf(target.userId)).toEqual([
      byAdmin('admin.ban', { reason: 'spam', expiresAt }),
      byAdmin('admin.unban'),
    ]);
    // The advisor reads it (signed in again: the ban ended their sessions); nobody else has it.
    const again = new HttpClient(setup.service.url);
    await again.post('/api/auth/sign-in/email', { email: target.email, password: 'correct-horse-9' });
    expect(await adminEntriesSeenBy(again)).toEqual([
      byAdmin('admin.unban'),
      byAdmin('admin.ban', { reason: 'spam', expiresAt }),
    ]);
    expect(await adminEntriesSeenBy(bystander.client)).toEqual([]);
    expect(await adminEntriesOf(adminId)).toEqual([]);
  });

  it('a ban with no expiry records a null expiry and better-auth’s default reason', async () => {
    const target = await signUpAdvisor(setup.service.url, 'Baneada Sin Plazo');
    expect((await setup.admin.post('/api/auth/admin/ban-user', { userId: target.userId })).status).toBe(200);
    expect(await adminEntriesOf(target.userId)).toEqual([
      byAdmin('admin.ban', { reason: 'No reason', expiresAt: null }),
    ]);
  });

  it('set-role records the new role', async () => {
    const target = await signUpAdvisor(setup.service.url, 'Ascendida');
    expect(
      (await setup.admin.post('/api/auth/admin/set-role', { userId: target.userId, role: 'admin' })).status,
    ).toBe(200);
    expect(await adminEntriesOf(target.userId)).toEqual([byAdmin('admin.set_role', { role: 'admin' })]);
  });

  it("impersonating and stopping are both in the advisor's log, naming the admin, never the token", async () => {
    const target = await signUpAdvisor(setup.service.url, 'Suplantada');
    const bystander = await signUpAdvisor(setup.service.url, 'Testigo');
    const as = await adminSignedIn();
    const started = await as.post('/api/auth/admin/impersonate-user', { userId: target.userId });
    expect(started.status).toBe(200);
    // Acting as the advisor meanwhile is audited as the admin already (caller.ts); not an admin.* entry.
    expect((await as.get('/api/whatsapp/config')).status).toBe(200);
    const stopped = await as.post('/api/auth/admin/stop-impersonating');
    expect(stopped.status).toBe(200);
    expect(stopped.body.user.id).toBe(adminId);

    const entries = await adminEntriesOf(target.userId);
    expect(entries).toEqual([
      byAdmin('admin.impersonate', { expiresAt: started.body.session.expiresAt }),
      byAdmin('admin.stop_impersonating'),
    ]);
    expect(JSON.stringify(entries)).not.toContain(started.body.session.token as string);
    expect(await adminEntriesSeenBy(target.client)).toEqual([...entries].reverse());
    expect(await adminEntriesSeenBy(bystander.client)).toEqual([]);
    expect(await adminEntriesOf(adminId)).toEqual([]);
  });

  it('set-user-password is recorded without the password; the advisor signs in with it', async () => {
    const target = await signUpAdvisor(setup.service.url, 'Con Clave Nueva');
    expect(
      (
        await setup.admin.post('/api/auth/admin/set-user-password', {
          userId: target.userId,
          newPassword: NEW_PASSWORD,
        })
      ).status,
    ).toBe(200);
    expect(await adminEntriesOf(target.userId)).toEqual([byAdmin('admin.set_password')]);
    const c = new HttpClient(setup.service.url);
    expect(
      (await c.post('/api/auth/sign-in/email', { email: target.email, password: NEW_PASSWORD })).status,
    ).toBe(200);
    expect(await adminEntriesSeenBy(c)).toEqual([byAdmin('admin.set_password')]);
  });

  it("revoking one session (by its token) and all sessions are in the owner's log", async () => {
    const target = await signUpAdvisor(setup.service.url, 'Sin Sesiones');
    const listed = await setup.admin.post('/api/auth/admin/list-user-sessions', { userId: target.userId });
    expect(listed.status).toBe(200);
    const [own] = listed.body.sessions as { id: string; token: string }[];
    expect(
      (await setup.admin.post('/api/auth/admin/revoke-user-session', { sessionToken: own!.token })).status,
    ).toBe(200);
    expect(
      (await setup.admin.post('/api/auth/admin/revoke-user-sessions', { userId: target.userId })).status,
    ).toBe(200);
    const entries = await adminEntriesOf(target.userId);
    expect(entries).toEqual([
      // Listing hands the admin every session's token: recorded too, how many, never the tokens.
      byAdmin('admin.list_sessions', { sessions: 1 }),
      byAdmin('admin.revoke_session', { sessionId: own!.id }),
      byAdmin('admin.revoke_sessions'),
    ]);
    expect(JSON.stringify(entries)).not.toContain(own!.token);
  });

  it('update-user records the names of the fields changed, not their values', async () => {
    const target = await signUpAdvisor(setup.service.url, 'Renombrada');
    const res = await setup.admin.post('/api/auth/admin/update-user', {
      userId: target.userId,
      data: { name: 'Nombre Secreto', emailVerified: true },
    });
    expect(res.status).toBe(200);
    const entries = await adminEntriesOf(target.userId);
    expect(entries).toEqual([byAdmin('admin.update_user', { fields: ['emailVerified', 'name'] })]);
    expect(JSON.stringify(entries)).not.toContain('Nombre Secreto');
  });

  it("create-user is in the new account's log, with its role and no password", async () => {
    const email = `alta${Date.now()}@example.test`;
    const res = await setup.admin.post('/api/auth/admin/create-user', {
      email,
      name: 'Dada de Alta',
      password: CREATED_PASSWORD,
      role: 'user',
    });
    expect(res.status).toBe(200);
    const createdId = res.body.user.id as string;
    expect(await adminEntriesOf(createdId)).toEqual([
      byAdmin('admin.create_user', { role: 'user', withPassword: true }),
    ]);
    const c = new HttpClient(setup.service.url);
    expect((await c.post('/api/auth/sign-in/email', { email, password: CREATED_PASSWORD })).status).toBe(200);
    expect(await adminEntriesSeenBy(c)).toEqual([
      byAdmin('admin.create_user', { role: 'user', withPassword: true }),
    ]);
  });

  it("remove-user goes in the admin's own log (the advisor's log goes with the account)", async () => {
    const target = await signUpAdvisor(setup.service.url, 'Eliminada');
    expect((await setup.admin.post('/api/auth/admin/remove-user', { userId: target.userId })).status).toBe(
      200,
    );
    expect(await adminEntriesOf(target.userId)).toEqual([]);
    expect(await adminEntriesOf(adminId)).toEqual([byAdmin('admin.remove_user', { userId: target.userId })]);
    await setup.service.database.db.delete(auditLog).where(eq(auditLog.advisorId, adminId));
  });

  it('a refused call writes nothing, anywhere', async () => {
    const target = await signUpAdvisor(setup.service.url, 'Intocable');
    const other = await signUpAdvisor(setup.service.url, 'No Admin');
    const refusedByNonAdmin: [string, Record<string, unknown>][] = [
      ['ban-user', { userId: target.userId }],
      ['set-role', { userId: target.userId, role: 'admin' }],
      ['impersonate-user', { userId: target.userId }],
      ['set-user-password', { userId: target.userId, newPassword: NEW_PASSWORD }],
      ['revoke-user-sessions', { userId: target.userId }],
      ['list-user-sessions', { userId: target.userId }],
      ['update-user', { userId: target.userId, data: { name: 'X' } }],
      ['create-user', { email: `no${Date.now()}@example.test`, name: 'No', password: NEW_PASSWORD }],
      ['remove-user', { userId: target.userId }],
    ];
    for (const [route, body] of refusedByNonAdmin) {
      expect((await other.client.post(`/api/auth/admin/${route}`, body)).status, route).toBe(403);
    }
    // Not stopping anything: the caller is not impersonating.
    expect((await other.client.post('/api/auth/admin/stop-impersonating')).status).toBe(400);
    // An admin's calls that better-auth refuses: unknown user, a password too short, a bad role.
    expect((await setup.admin.post('/api/auth/admin/ban-user', { userId: 'nobody' })).status).toBe(404);
    expect((await setup.admin.post('/api/auth/admin/impersonate-user', { userId: 'nobody' })).status).toBe(
      404,
    );
    expect(
      (
        await setup.admin.post('/api/auth/admin/set-user-password', {
          userId: target.userId,
          newPassword: 'x',
        })
      ).status,
    ).toBe(400);
    expect(
      (await setup.admin.post('/api/auth/admin/set-role', { userId: target.userId, role: 'owner' })).status,
    ).toBe(422);
    expect((await setup.admin.post('/api/auth/admin/remove-user', { userId: adminId })).status).toBe(400);
    // better-auth answers 200 to these, having done nothing: no session by that token, no such
    // user. There is no account to write in (and no failure to report).
    expect(
      (await setup.admin.post('/api/auth/admin/revoke-user-session', { sessionToken: 'no-such-token' }))
        .status,
    ).toBe(200);
    expect(
      (await setup.admin.post('/api/auth/admin/revoke-user-sessions', { userId: 'nobody' })).status,
    ).toBe(200);

    expect(await adminEntriesOf(target.userId)).toEqual([]);
    expect(await adminEntriesOf(other.userId)).toEqual([]);
    expect(await adminEntriesOf(adminId)).toEqual([]);
    // Nor in the caller's log as an account action of any other name.
    expect((await other.client.get('/api/whatsapp/audit')).body.items).toEqual([]);
  });

  it('no password is in any audit entry', async () => {
    const everything = JSON.stringify(await setup.service.database.db.select().from(auditLog));
    expect(everything).toContain('admin.set_password');
    for (const secret of [NEW_PASSWORD, CREATED_PASSWORD, ADMIN_PASSWORD, 'correct-horse-9']) {
      expect(everything).not.toContain(secret);
    }
  });
});
