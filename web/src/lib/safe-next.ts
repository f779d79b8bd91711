// Where to go after signing in, from `?next=`: only a path of this site. A browser reads `/\x`
// as `//x` (another host), drops tabs and newlines before parsing (`/\t/x` is `//x` too), and
// history.replaceState throws on a URL of another origin, which left a blank page.
const BASE = 'https://same-origin.invalid';

export function safeNextPath(next: string | null | undefined): string | null {
  if (!next || !next.startsWith('/') || next.startsWith('//')) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return null;
  try {
    return new URL(next, BASE).origin === BASE ? next : null;
  } catch {
    return null;
  }
}
