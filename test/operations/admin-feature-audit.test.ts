// An admin switching an advisor's features is an account action like the advisor's own settings
// changes: it goes into that advisor's audit log, naming the admin. It left no trace: an advisor
// whose sends were refused or skipped as feature_disabled could not tell who switched what, when.
import { describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { useServiceWithAdmin } from '../support/admin.js';

const setup = useServiceWithAdmin();

interface Entry {
  action: string;
  actorType: string;
  actorId: string | null;
  content: Record<string, unknown> | null;
}
const auditOf = async (client: HttpClient) =>
  ((await client.get('/api/whatsapp/audit')).body.items as Entry[]).filter(
    (e) => e.action === 'features.update',
  );

describe("an admin's feature switch", () => {
  it("is in the advisor's audit log, by the admin, with the change as sent; refused ones are not", async () => {
    const adminId = (await setup.admin.get('/api/auth/get-session')).body.user.id as string;
    const { client, userId } = await signUpAdvisor(setup.service.url, 'Auditada Por Admin');
    const other = await signUpAdvisor(setup.service.url, 'Otra');

    // Refused: a non-admin, an unknown advisor. Nothing is written anywhere.
    expect(
      (await other.client.put(`/api/admin/advisors/${userId}/features`, { sending: false })).status,
    ).toBe(403);
    expect((await setup.admin.put('/api/admin/advisors/nobody/features', { sending: false })).status).toBe(
      404,
    );
    expect(await auditOf(client)).toEqual([]);

    const off = await setup.admin.put(`/api/admin/advisors/${userId}/features`, {
      sending: false,
      inbox: false,
    });
    expect(off.status).toBe(200);
    const entries = await auditOf(client);
    expect(entries).toEqual([
      expect.objectContaining({
        action: 'features.update',
        actorType: 'admin',
        actorId: adminId,
        content: { features: { sending: false, inbox: false } },
      }),
    ]);
    // In the advisor's log only: not in the admin's, not in anyone else's.
    expect(await auditOf(setup.admin)).toEqual([]);
    expect(await auditOf(other.client)).toEqual([]);
  });
});
