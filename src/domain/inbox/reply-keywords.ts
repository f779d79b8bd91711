// What a client's short reply means. Opt-out words are honoured whatever the case, spacing,
// accents or character width ("Bája", " stop ", "ＳＴＯＰ"), as the reminder templates promise;
// the appointment answers are the reminder's "Responde 1 para confirmar… responde 2 y me pondré
// en contacto contigo" (a 2 is recorded as cancel_requested for the advisor, it cancels nothing
// by itself). The words of every built-in language are honoured for every advisor: a client may
// write in another language than the advisor's templates.
export type OptKeyword = 'opt_out' | 'opt_in';
export type AppointmentAnswer = 'confirmed' | 'cancel_requested';

// Portuguese: SAIR is what the pt templates offer; PARAR is the other word Brazilian senders
// commonly offer, and means "stop" in Spanish too. VOLTAR ("come back") is the Portuguese way
// back in, as ALTA is the Spanish one; it means nothing in the other sets.
const OPT_OUT = new Set(['stop', 'baja', 'alto', 'sair', 'parar']);
const OPT_IN = new Set(['start', 'alta', 'voltar']);
// "sim" and "não" are the Portuguese yes and no ("não" reads "nao" once accents are gone).
const CONFIRM = new Set(['1', 'si', 'confirmo', 'sim']);
const CANCEL = new Set(['2', 'no', 'cancelar', 'nao']);

/**
 * Lower case, no accents, no surrounding spaces or punctuation ("¡Sí!" → "si"). NFKC first, so
 * compatibility forms read as the letters they show (full-width "ＳＴＯＰ" from an Asian keyboard,
 * "１", ligatures), then NFD to strip the accents.
 */
export function normalizeReply(text: string): string {
  return text
    .normalize('NFKC')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/^[\s\p{P}\p{S}]+|[\s\p{P}\p{S}]+$/gu, '');
}

/**
 * The reply as one normalised word, or null when it is too long to be one. The length is that of
 * the trimmed text: "STOP" padded with forty spaces or new lines is still STOP.
 */
function shortReply(text: string | null): string | null {
  const trimmed = text?.trim();
  if (!trimmed || trimmed.length > 40) return null;
  return normalizeReply(trimmed);
}

export function optKeywordOf(text: string | null): OptKeyword | null {
  const word = shortReply(text);
  if (word === null) return null;
  if (OPT_OUT.has(word)) return 'opt_out';
  if (OPT_IN.has(word)) return 'opt_in';
  return null;
}

export function appointmentAnswerOf(text: string | null): AppointmentAnswer | null {
  const word = shortReply(text);
  if (word === null) return null;
  if (CONFIRM.has(word)) return 'confirmed';
  if (CANCEL.has(word)) return 'cancel_requested';
  return null;
}
