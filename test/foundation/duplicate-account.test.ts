// An email address that already has an account is a conflict with existing state: 409 `conflict`
// (API.md, "Errors"), whatever the case of the address, at sign-up and on the admin routes that
// create or rename an account. better-auth answers 422 at sign-up and 400 on the admin routes,
// which the service passed on as `validation_failed` / `invalid_request`: a caller could not tell
// "this address is taken" from "this body is malformed" by status.
import { describe, expect, it } from 'vitest';
import { HttpClient, signUpAdvisor } from '../support/http.js';
import { useServiceWithAdmin } from '../support/admin.js';

const setup = useServiceWithAdmin();

const conflict = {
  code: 'conflict',
  message: expect.any(String),
  details: { authCode: expect.stringMatching(/^USER_ALREADY_EXISTS/) },
};

describe('an email address that already has an account', () => {
  it('is 409 conflict at sign-up, in any case, and creates nothing', async () => {
    const taken = await signUpAdvisor(setup.service.url, 'Primera');
    for (const email of [taken.email, taken.email.toUpperCase()]) {
      const res = await new HttpClient(setup.service.url).post('/api/auth/sign-up/email', {
        name: 'Segunda',
        email,
        password: 'correct-horse-9',
      });
      expect([res.status, res.body.error], email).toEqual([409, conflict]);
      expect(res.headers.get('set-cookie'), email).toBeNull();
    }
    // The first account is untouched and still signs in.
    const signIn = await new HttpClient(setup.service.url).post('/api/auth/sign-in/email', {
      email: taken.email,
      password: 'correct-horse-9',
    });
    expect([signIn.status, signIn.body.user.name]).toEqual([200, 'Primera']);
  });

  it("is 409 conflict on the admin's create-user and update-user", async () => {
    const taken = await signUpAdvisor(setup.service.url, 'Ocupada');
    const other = await signUpAdvisor(setup.service.url, 'Otra');
    const created = await setup.admin.post('/api/auth/admin/create-user', {
      email: taken.email.toUpperCase(),
      password: 'correct-horse-9',
      name: 'Copia',
    });
    expect([created.status, created.body.error]).toEqual([409, conflict]);
    const renamed = await setup.admin.post('/api/auth/admin/update-user', {
      userId: other.userId,
      data: { email: taken.email },
    });
    expect([renamed.status, renamed.body.error]).toEqual([409, conflict]);
    expect((await other.client.get('/api/auth/get-session')).body.user.email).toBe(other.email);
  });

  // A double click on the sign-up form: the requests all find the address free, one account is
  // written and the others break its unique index. better-auth answered those 422 "Failed to
  // create user" (FAILED_TO_CREATE_USER) at sign-up, and 500 on the admin's create-user.
  it('is 409 conflict for the losers of sign-ups or create-users racing for one address', async () => {
    for (const route of ['sign-up', 'create-user'] as const) {
      const email = `carrera-${route}-${Date.now()}@example.test`;
      const answers = await Promise.all(
        Array.from({ length: 4 }, (_, i) => {
          const body = {
            name: `Carrera ${i}`,
            email: i % 2 ? email.toUpperCase() : email,
            password: 'correct-horse-9',
          };
          return route === 'sign-up'
            ? new HttpClient(setup.service.url).post('/api/auth/sign-up/email', body)
            : setup.admin.post('/api/auth/admin/create-user', body);
        }),
      );
      const statuses = answers.map((res) => res.status).sort();
      expect(statuses, `${route}: ${JSON.stringify(answers.map((r) => r.body))}`).toEqual([
        200, 409, 409, 409,
      ]);
      for (const res of answers.filter((r) => r.status === 409)) {
        expect(res.body.error, route).toEqual(conflict);
        expect(res.headers.get('set-cookie'), route).toBeNull();
      }
    }
  });

  it('leaves the other sign-up refusals as they were', async () => {
    const res = await new HttpClient(setup.service.url).post('/api/auth/sign-up/email', {
      name: 'Corta',
      email: `short${Math.random()}@example.test`,
      password: 'short',
    });
    expect([res.status, res.body.error.code]).toEqual([400, 'invalid_request']);
  });
});
