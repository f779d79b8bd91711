import type { BrowserContext } from 'playwright-core';
import type { HttpClient } from '../../support/http.js';
import { uniqueEmail } from './browser.js';

/** Signs a fresh advisor up through the API inside the browser context, so its cookie is set. */
export async function signUpInContext(
  context: BrowserContext,
  baseUrl: string,
  name = 'Ana López',
): Promise<{ email: string; password: string }> {
  const email = uniqueEmail();
  const password = 'correct-horse-9';
  const res = await context.request.post(`${baseUrl}/api/auth/sign-up/email`, {
    data: { name, email, password },
    headers: { origin: baseUrl },
  });
  if (!res.ok()) throw new Error(`sign-up failed: ${res.status()} ${await res.text()}`);
  return { email, password };
}

/** Lets a browser context act as an advisor signed up through the API (its session cookie). */
export async function useSessionOf(context: BrowserContext, client: HttpClient): Promise<void> {
  const cookies = client
    .cookieHeader()
    .split('; ')
    .filter(Boolean)
    .map((pair) => {
      const at = pair.indexOf('=');
      return { name: pair.slice(0, at), value: pair.slice(at + 1), url: client.baseUrl };
    });
  if (cookies.length === 0) throw new Error('this client holds no session cookie');
  await context.addCookies(cookies);
}
