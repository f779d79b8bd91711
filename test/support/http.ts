// A small HTTP client for black-box tests that keeps the session cookie like a browser would.
export interface JsonResponse<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/**
 * A visitor's phone browser. The public button's counting redirect leaves crawlers and link
 * previews out (by user agent), and Node's fetch says "node": a test's click sends this.
 */
export const VISITOR_USER_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

export class HttpClient {
  private cookies = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    private readonly defaultHeaders: Record<string, string> = {},
  ) {}

  /** The Cookie header a browser would send (for SSE and raw fetches). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  withHeaders(headers: Record<string, string>): HttpClient {
    const c = new HttpClient(this.baseUrl, { ...this.defaultHeaders, ...headers });
    c.cookies = this.cookies;
    return c;
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<JsonResponse<T>> {
    // A browser names the page's origin on every POST; better-auth's CSRF check refuses a
    // cookie-carrying POST without it (checked in tests too: the service turns that check on).
    const h: Record<string, string> = { origin: this.baseUrl, ...this.defaultHeaders, ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.baseUrl + path, { method, headers: h, body: payload, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, i), pair!.slice(i + 1));
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* keep text */
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, undefined, headers);
  }
  post<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, body ?? {}, headers);
  }
  put<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PUT', path, body ?? {}, headers);
  }
  patch<T = any>(path: string, body?: unknown, headers?: Record<string, string>) {
    return this.request<T>('PATCH', path, body ?? {}, headers);
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, undefined, headers);
  }
}

let counter = 0;
/** Signs up a fresh advisor and returns a client holding its session cookie. */
export async function signUpAdvisor(
  baseUrl: string,
  name = 'Ana López',
): Promise<{ client: HttpClient; email: string; userId: string }> {
  const client = new HttpClient(baseUrl);
  const email = `advisor${Date.now()}${counter++}${Math.floor(Math.random() * 1e6)}@example.test`;
  const res = await client.post<{ user: { id: string } }>('/api/auth/sign-up/email', {
    name,
    email,
    password: 'correct-horse-9',
  });
  if (res.status !== 200) throw new Error(`sign-up failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { client, email, userId: res.body.user.id };
}
