// Connection URLs may carry a password (`rediss://default:secret@host`, the only way REDIS_URL can
// give one). Log lines name the server they could not reach, never the credential.

/** The URL with its user name and password replaced by `***`; anything unparseable is hidden whole. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(unparseable URL)';
  }
  if (parsed.username) parsed.username = '***';
  if (parsed.password) parsed.password = '***';
  // A password may also ride in the query (`?password=` is read by some clients).
  for (const name of [...parsed.searchParams.keys()]) {
    if (/pass|secret|token/i.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}
