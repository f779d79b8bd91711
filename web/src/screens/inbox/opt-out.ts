// The words that opt a client out of (or back into) messages, read as the server reads them
// (src/domain/inbox/reply-keywords.ts: any case, accents, width or surrounding punctuation); the
// inbox mirrors them so the badge changes the moment the reply arrives. The Portuguese ones too:
// a client may write in another language than the advisor's.
const OUT = new Set(['stop', 'baja', 'alto', 'sair', 'parar']);
const IN = new Set(['start', 'alta', 'voltar']);

function word(text: string | null): string | null {
  const trimmed = text?.trim();
  if (!trimmed || trimmed.length > 40) return null;
  return trimmed
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '');
}

export function optOutChange(text: string | null): boolean | null {
  const w = word(text);
  if (w === null) return null;
  if (OUT.has(w)) return true;
  if (IN.has(w)) return false;
  return null;
}
