// better-auth's admin routes write what the admin sends into the user row unchecked: a wrong type
// or an impossible date was a database error, answered 500 internal_error. They are 422 now.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { type TestService } from '../support/service.js';
import { startServiceWithAdmin } from '../support/admin.js';

let service: TestService;
let boss: HttpClient;
beforeAll(async () => {
  ({ service, admin: boss } = await startServiceWithAdmin({
    EVOLUTION_API_URL: 'http://127.0.0.1:9',
    EVOLUTION_API_KEY: 'unused',
  }));
});
afterAll(async () => {
  await service?.close();
});

describe("an admin's changes to an account", () => {
  it('answer a wrong type or an impossible date with 422 naming the field, not 500', async () => {
    const { userId } = await signUpAdvisor(service.url, 'Objetivo');
    const refused: [string, Record<string, unknown>, string][] = [
      ['/api/auth/admin/update-user', { userId, data: { banned: 'x' } }, 'banned'],
      ['/api/auth/admin/update-user', { userId, data: { emailVerified: null } }, 'emailVerified'],
      ['/api/auth/admin/update-user', { userId, data: { banExpires: 'not-a-date' } }, 'banExpires'],
      ['/api/auth/admin/update-user', { userId, data: { banExpires: -1 } }, 'banExpires'],
      ['/api/auth/admin/update-user', { userId, data: { createdAt: {} } }, 'createdAt'],
      // A ban ending in the year 33,000 (or never representable at all).
      ['/api/auth/admin/ban-user', { userId, banExpiresIn: 1e12 }, 'banExpires'],
      ['/api/auth/admin/ban-user', { userId, banExpiresIn: 1e20 }, 'banExpires'],
      [
        '/api/auth/admin/create-user',
        {
          email: `nuevo${Math.random()}@example.test`,
          password: 'correct-horse-9',
          name: 'Nuevo',
          data: { banned: 'x' },
        },
        'banned',
      ],
    ];
    for (const [path, body, field] of refused) {
      const res = await boss.post(path, body);
      expect([res.status, res.body.error?.code], `${path} ${JSON.stringify(body)}`).toEqual([
        422,
        'validation_failed',
      ]);
      expect(res.body.error.message).toContain(field);
    }
    // What makes sense still goes through.
    expect((await boss.post('/api/auth/admin/ban-user', { userId, banExpiresIn: 60 })).status).toBe(200);
    const later = await boss.post('/api/auth/admin/update-user', {
      userId,
      data: { banned: false, banExpires: null, emailVerified: true },
    });
    expect(later.status).toBe(200);
    expect(later.body).toMatchObject({ banned: false, emailVerified: true });
  });
});

describe('the role an admin gives an account', () => {
  // better-auth reads a role as a comma-separated list and takes "admin,user" for an admin (it may
  // ban and impersonate), while this service's own admin routes and audit take only "admin": the
  // same account was an admin to one and an advisor to the other. The service has two roles.
  it('is "user" or "admin": a list or another name is 422, and the two roles still go through', async () => {
    const { userId } = await signUpAdvisor(service.url, 'Rol Raro');
    for (const role of ['admin,user', 'superuser', ['admin', 'user'], '']) {
      const res = await boss.post('/api/auth/admin/set-role', { userId, role });
      expect([res.status, res.body.error?.code], JSON.stringify(role)).toEqual([422, 'validation_failed']);
      expect(res.body.error.message).toContain('role');
    }
    const refusedUpdate = await boss.post('/api/auth/admin/update-user', { userId, data: { role: 'root' } });
    expect(refusedUpdate.status).toBe(422);
    for (const role of ['admin', 'user']) {
      const res = await boss.post('/api/auth/admin/set-role', { userId, role });
      expect(res.status, role).toBe(200);
      expect(res.body.user.role).toBe(role);
    }
  });
});

describe('an account an admin creates', () => {
  // The sign-up hook that makes ADMIN_EMAIL's account an admin wrote "user" over every other
  // account's role, the one create-user asked for included: an admin creating another admin got
  // 200 and an advisor, with nothing said.
  it('has the role the admin gave it, and "user" when none was given', async () => {
    for (const [role, expected] of [
      ['admin', 'admin'],
      ['user', 'user'],
      [undefined, 'user'],
    ] as const) {
      const email = `creada-${role ?? 'sin-rol'}-${Date.now()}@example.test`;
      const res = await boss.post('/api/auth/admin/create-user', {
        email,
        name: 'Creada',
        password: 'correct-horse-9',
        ...(role ? { role } : {}),
      });
      expect(res.status, String(role)).toBe(200);
      expect(res.body.user.role, String(role)).toBe(expected);
      // The service's own admin routes agree.
      const signedIn = new HttpClient(service.url);
      expect(
        (await signedIn.post('/api/auth/sign-in/email', { email, password: 'correct-horse-9' })).status,
      ).toBe(200);
      expect((await signedIn.get('/api/admin/metrics')).status, String(role)).toBe(
        expected === 'admin' ? 200 : 403,
      );
    }
    // A role is still not something one gives oneself at sign-up.
    const selfMade = await new HttpClient(service.url).post('/api/auth/sign-up/email', {
      name: 'Yo Admin',
      email: `yo${Date.now()}@example.test`,
      password: 'correct-horse-9',
      role: 'admin',
    });
    expect(selfMade.status).toBe(400);
  });
});
