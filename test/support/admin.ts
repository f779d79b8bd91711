// A service with a platform admin: ADMIN_EMAIL names the account, which then signs up and is
// promoted at once (the way an operator makes the first admin).
import { afterAll, beforeAll, expect } from 'vitest';
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

/** A gateway nobody answers: for suites that never reach Evolution. */
export const NO_GATEWAY = { EVOLUTION_API_URL: 'http://127.0.0.1:9', EVOLUTION_API_KEY: 'unused' };

/**
 * One service with an admin for the whole file: started before its tests, closed after them.
 * Read `setup.service` and `setup.admin` inside tests (they are set once `beforeAll` ran).
 */
export function useServiceWithAdmin(env: Record<string, string> = NO_GATEWAY): {
  service: TestService;
  admin: HttpClient;
} {
  const setup = {} as { service: TestService; admin: HttpClient };
  beforeAll(async () => {
    Object.assign(setup, await startServiceWithAdmin(env));
  });
  afterAll(async () => {
    await setup.service?.close();
  });
  return setup;
}
