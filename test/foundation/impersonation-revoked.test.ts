// An admin impersonating an advisor holds a session of the ADVISOR's (better-auth's admin plugin:
// userId = the advisor, impersonatedBy = the admin). Banning the admin deletes the admin's own
// sessions only, and demoting or removing them deletes none, so that session went on acting as the
// advisor for the rest of its hour. It must end as soon as the admin may no longer impersonate.
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { user } from '../../src/db/schema/index.js';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { useServiceWithAdmin } from '../support/admin.js';

const setup = useServiceWithAdmin();

/** A second admin, impersonating a fresh advisor: the client holds the impersonation session. */
async function impersonating(name: string) {
  const second = await signUpAdvisor(setup.service.url, name);
  await setup.service.database.db.update(user).set({ role: 'admin' }).where(eq(user.id, second.userId));
  const as = new HttpClient(setup.service.url);
  const signedIn = await as.post('/api/auth/sign-in/email', {
    email: second.email,
    password: 'correct-horse-9',
  });
  expect(signedIn.status).toBe(200);
  const advisor = await signUpAdvisor(setup.service.url, `Cliente de ${name}`);
  expect((await as.post('/api/auth/admin/impersonate-user', { userId: advisor.userId })).status).toBe(200);
  expect((await as.get('/api/whatsapp/config')).status).toBe(200);
  return { adminId: second.userId, as };
}

describe('an impersonation session', () => {
  it('ends when its admin is banned', async () => {
    const { adminId, as } = await impersonating('Admin Baneado');
    const banned = await setup.admin.post('/api/auth/admin/ban-user', { userId: adminId });
    expect(banned.status).toBe(200);
    const after = await as.get('/api/whatsapp/config');
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('unauthorized');
    expect((await as.post('/api/api-keys', { name: 'puerta trasera' })).status).toBe(401);
  });

  it('ends when its admin is no longer an admin', async () => {
    const { adminId, as } = await impersonating('Admin Degradado');
    const demoted = await setup.admin.post('/api/auth/admin/set-role', { userId: adminId, role: 'user' });
    expect(demoted.status).toBe(200);
    expect((await as.get('/api/whatsapp/config')).status).toBe(401);
  });

  it('ends when its admin is removed', async () => {
    const { adminId, as } = await impersonating('Admin Borrado');
    expect((await setup.admin.post('/api/auth/admin/remove-user', { userId: adminId })).status).toBe(200);
    expect((await as.get('/api/whatsapp/config')).status).toBe(401);
  });

  it('works while its admin still is one, and a ban that has expired no longer counts', async () => {
    const { adminId, as } = await impersonating('Admin Vigente');
    await setup.service.database.db
      .update(user)
      .set({ banned: true, banExpires: new Date(Date.now() - 1_000) })
      .where(eq(user.id, adminId));
    expect((await as.get('/api/whatsapp/config')).status).toBe(200);
  });
});
