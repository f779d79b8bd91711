// A service with a platform admin: ADMIN_EMAIL names the account, which then signs up and is
// promoted at once (the way an operator makes the first admin).
import { expect } from 'vitest';
import { HttpClient } from './http.js';
import { startTestService, type TestService } from './service.js';

/** The admin's address; the account signs up with the tests' usual password. */
export const ADMIN_EMAIL = 'boss@example.test';
export const ADMIN_PASSWORD = 'correct-horse-9';

/** Starts a service with `env` on top, signs the admin up, and returns both. */
export async function startServiceWithAdmin(
  env: Record<string, string> = {},
): Promise<{ service: TestService; admin: HttpClient }> {
  const service = await startTestService({ env: { ADMIN_EMAIL, ...env } });
  const admin = new HttpClient(service.url);
  const res = await admin.post('/api/auth/sign-up/email', {
    name: 'Boss',
    email: ADMIN_EMAIL,
    password: ADMIN_PASSWORD,
  });
  expect(res.status).toBe(200);
  return { service, admin };
}
