// An advisor a platform admin has banned (better-auth's admin plugin: `banned`, `banExpires`)
// no longer advertises on the platform: every public route of their button answers as for an
// unknown advisor while the ban holds, and works again once it has expired or been lifted. The
// ban ended their sessions and keys already; the public button and page went on working.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { user } from '../../src/db/schema/index.js';
import { startServiceWithAdmin } from '../support/admin.js';
import { HttpClient, VISITOR_USER_AGENT } from '../support/http.js';
import type { TestService } from '../support/service.js';
import { connectedAdvisor } from '../support/whatsapp.js';

let service: TestService;
let admin: HttpClient;
beforeAll(async () => {
  ({ service, admin } = await startServiceWithAdmin());
});
afterAll(async () => {
  await service?.close();
});

const ROUTES = ['', '/go', '/qr.svg', '/qr.png'];

/** Status and body of every public route of a slug (the redirect not followed). */
async function publicAnswers(slug: string) {
  const out: Record<string, { status: number; body: string }> = {};
  for (const route of ROUTES) {
    const res = await fetch(`${service.url}/api/public/advisors/${slug}/whatsapp${route}`, {
      redirect: 'manual',
      headers: { 'user-agent': VISITOR_USER_AGENT },
    });
    out[route || '/'] = { status: res.status, body: await res.text() };
  }
  return out;
}

async function bannedAdvisor(name: string) {
  const advisor = await connectedAdvisor(service, name);
  const { publicSlug } = (await advisor.client.get('/api/whatsapp/config')).body as { publicSlug: string };
  const before = await publicAnswers(publicSlug);
  expect(Object.values(before).map((a) => a.status)).toEqual([200, 302, 200, 200]);
  const banned = await admin.post('/api/auth/admin/ban-user', {
    userId: advisor.userId,
    banReason: 'spam',
    banExpiresIn: 3600,
  });
  expect(banned.status).toBe(200);
  return { ...advisor, publicSlug };
}

describe('the public button of a banned advisor', () => {
  it('answers every public route as for an unknown advisor while the ban holds', async () => {
    const { publicSlug } = await bannedAdvisor('Vera Baneada');
    const unknown = await publicAnswers('nadie-con-este-nombre');
    const answers = await publicAnswers(publicSlug);
    expect(answers).toEqual(unknown);
    expect(answers['/']!.status).toBe(404);
    expect(JSON.parse(answers['/']!.body).error.code).toBe('not_found');
  });

  it('works again once the ban has expired', async () => {
    const { userId, publicSlug } = await bannedAdvisor('Wanda Baneada');
    expect((await publicAnswers(publicSlug))['/']!.status).toBe(404);
    await service.database.db
      .update(user)
      .set({ banExpires: new Date(Date.now() - 1_000) })
      .where(eq(user.id, userId));
    const answers = await publicAnswers(publicSlug);
    expect(Object.values(answers).map((a) => a.status)).toEqual([200, 302, 200, 200]);
  });

  it('works again once the ban is lifted', async () => {
    const { userId, publicSlug } = await bannedAdvisor('Xenia Baneada');
    expect((await publicAnswers(publicSlug))['/go']!.status).toBe(404);
    expect((await admin.post('/api/auth/admin/unban-user', { userId })).status).toBe(200);
    const answers = await publicAnswers(publicSlug);
    expect(Object.values(answers).map((a) => a.status)).toEqual([200, 302, 200, 200]);
  });
});
