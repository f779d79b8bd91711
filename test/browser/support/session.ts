import type { BrowserContext } from 'playwright-core';
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
