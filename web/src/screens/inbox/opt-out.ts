// The words that opt a client out of (or back into) messages, as API.md's webhook rule says; the
// inbox mirrors them so the badge changes the moment the reply arrives.
const OUT = new Set(['STOP', 'BAJA', 'ALTO']);
const IN = new Set(['START', 'ALTA']);

export function optOutChange(text: string | null): boolean | null {
  const word = (text ?? '').trim().toUpperCase();
  if (OUT.has(word)) return true;
  if (IN.has(word)) return false;
  return null;
}
