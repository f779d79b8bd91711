// Works out what a send request will actually send: the text (typed or rendered from a
// template), or the media (by URL, or uploaded bytes checked for size and real type).
import type { DomainContext } from '../context.js';
import {
  audioTypeToConvertOfName,
  isAudioToConvert,
  mediaFileName,
  typeOfFileName,
} from '../../gateway/index.js';
import { AppError } from '../app-error.js';
import {
  findBuiltinTemplate,
  isBuiltinTemplateKey,
  renderTemplate,
  WHATSAPP_TEXT_MAX_LENGTH,
} from '../templates/index.js';
import { resolveTemplateForSend, type TemplateForSend } from '../templates/resolve-template-for-send.js';
import { unfillableByAutomation } from '../templates/template-variables.js';
import { withAdvisorName } from '../templates/advisor-name-variable.js';
import {
  baseMimetype,
  reconcileMimetype,
  refutesDeclared,
  refutesFileName,
  sniffedAsAudio,
  sniffMedia,
} from './media-sniff.js';
import { mediaTooLarge } from './media-limit.js';
import { mediaUrlProblem } from './media-url.js';

export type MessageType = 'text' | 'image' | 'document' | 'audio' | 'video';
export type TemplateRef = { id: string } | { key: string; language?: string };

export interface ContentRequest {
  type?: MessageType;
  text?: string;
  media?: { url?: string; base64?: string; mimetype?: string; fileName?: string };
  caption?: string;
  template?: TemplateRef;
  variables?: Record<string, string>;
}

export interface ResolvedContent {
  type: MessageType;
  text: string | null;
  caption: string | null;
  mediaUrl: string | null;
  upload: { bytes: Buffer; mimetype: string; fileName: string | null } | null;
  mimetype: string | null;
  fileName: string | null;
  template: { id: string | null; key: string; language: string } | null;
}

/**
 * The bytes of media.base64, and the type its data URL header names, if it has one
 * ("data:application/pdf;base64,…" → application/pdf; "data:;base64,…" names none).
 */
function decodeBase64(data: string, maxBytes: number): { bytes: Buffer; dataUrlType: string | undefined } {
  // A data URL's header, as FileReader.readAsDataURL writes it: its type may carry parameters
  // ("text/plain;charset=utf-8") or be empty, and the scheme is case-insensitive.
  const trimmed = data.trimStart();
  const header = /^data:([^,]*);base64,/i.exec(trimmed);
  const raw = (header ? trimmed.slice(header[0].length) : trimmed).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw) || raw.length % 4 === 1) {
    throw new AppError('validation_failed', 'media.base64 is not valid base64.', {
      fields: [{ field: 'media.base64', message: 'is not valid base64' }],
    });
  }
  // Check the size before decoding, so a huge payload is refused without allocating it twice.
  const approx = Math.floor((raw.length * 3) / 4);
  if (approx > maxBytes + 2) throw mediaTooLarge(maxBytes);
  const named = header ? baseMimetype(header[1]) : undefined;
  return {
    bytes: Buffer.from(raw, 'base64'),
    dataUrlType: named && MIME_TYPE.test(named) ? named : undefined,
  };
}

/** type/subtype, as RFC 6838 spells them. */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/**
 * The built-in an automated send falls back to when the advisor's override of it needs a variable
 * the automation never has. Such overrides can no longer be saved (422 since d2aa2b5), but older
 * ones exist; failing every confirmation they produce would lose the message, while the built-in
 * still says what the client needs to know.
 */
function builtinInsteadOfUnfillableOverride(template: TemplateForSend, missing: string[]) {
  if (template.id === null || !isBuiltinTemplateKey(template.key)) return null;
  const unfillable = unfillableByAutomation(template.key);
  if (!missing.every((name) => unfillable.includes(name))) return null;
  return findBuiltinTemplate(template.key, template.language);
}

/** How resolveContent finds a template; resolveTemplateForSend unless the caller brings its own. */
export type TemplateLookup = (
  ctx: DomainContext,
  advisorId: string,
  ref: TemplateRef,
) => Promise<TemplateForSend>;

export interface ResolveOptions {
  automated: boolean;
  /**
   * A caller rendering many messages from the same templates in one transaction, under a lock
   * that keeps them from changing (a template edit's re-render of the planned messages), may look
   * each one up once: read per message, the lookups were most of the time the lock was held.
   */
  lookupTemplate?: TemplateLookup;
}

async function renderTemplateText(
  ctx: DomainContext,
  advisorId: string,
  ref: TemplateRef,
  variables: Record<string, string>,
  { automated, lookupTemplate = resolveTemplateForSend }: ResolveOptions,
) {
  const template = await lookupTemplate(ctx, advisorId, ref);
  const rendered = renderTemplate(
    template.body,
    await withAdvisorName(ctx, advisorId, template.variables, variables),
  );
  const builtin =
    automated && rendered.missing.length > 0
      ? builtinInsteadOfUnfillableOverride(template, rendered.missing)
      : null;
  if (builtin) {
    const fallback = renderTemplate(builtin.body, variables);
    if (fallback.missing.length === 0) {
      ctx.logger.warn(
        { advisorId, templateId: template.id, key: template.key, missing: rendered.missing },
        'override uses a variable the automation never fills; sent the built-in instead',
      );
      return { text: fallback.text, template: { id: null, key: builtin.key, language: builtin.language } };
    }
  }
  if (rendered.missing.length > 0) {
    throw new AppError('missing_variable', `Missing template variable(s): ${rendered.missing.join(', ')}.`, {
      missing: rendered.missing,
      template: template.key,
    });
  }
  return {
    text: rendered.text,
    template: { id: template.id, key: template.key, language: template.language },
  };
}

/** "an image", "an audio", "a video", "a document". */
const withArticle = (word: string): string => `${/^[aeiou]/.test(word) ? 'an' : 'a'} ${word}`;
const capitalized = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

const given = (value: string | undefined): boolean => value !== undefined && value.trim() !== '';

/**
 * Parts of a request the message of its type would not carry. They used to be dropped without a
 * word (202, and the client got something else than the caller wrote): `text` beside media,
 * `text` beside a template, a caption on a text message, variables with no template to fill
 * (the client got "Hola {nombre_cliente}").
 */
function unusedParts(req: ContentRequest, type: MessageType): { field: string; message: string }[] {
  const unused: { field: string; message: string }[] = [];
  if (req.variables && Object.keys(req.variables).length > 0 && !req.template)
    unused.push({ field: 'variables', message: 'fill a template: give `template` too, or write the text' });
  if (type === 'text') {
    if (req.media) unused.push({ field: 'media', message: 'a text message carries no file: set `type`' });
    if (given(req.caption))
      unused.push({ field: 'caption', message: 'a text message has no caption: use `text`' });
    if (given(req.text) && req.template)
      unused.push({ field: 'text', message: 'give `text` or a `template`, not both' });
  } else {
    if (given(req.text))
      unused.push({
        field: 'text',
        message: `${withArticle(type)} message carries a \`caption\`, not \`text\``,
      });
    if (given(req.caption) && req.template)
      unused.push({ field: 'caption', message: 'give `caption` or a `template`, not both' });
  }
  return unused;
}

/** WhatsApp's limit on a media message's caption. */
const CAPTION_MAX_LENGTH = 1024;

/**
 * Text or a caption over WhatsApp's limit. Rendered from a template, the caller sent no `text` or
 * `caption` to shorten: the error names the template, with the length it rendered to.
 */
function tooLong(req: ContentRequest, part: 'text' | 'caption', length: number, max: number): AppError {
  if (req.template) {
    return new AppError(
      'validation_failed',
      `The template renders ${length} characters with these variables, over WhatsApp's ${max} for a ${part === 'text' ? 'text message' : 'caption'}.`,
      { fields: [{ field: 'template', message: `renders ${length} characters; at most ${max}` }] },
    );
  }
  return new AppError('validation_failed', `The ${part} is longer than ${max} characters.`, {
    fields: [{ field: part, message: `must be at most ${max} characters` }],
  });
}

export async function resolveContent(
  ctx: DomainContext,
  advisorId: string,
  req: ContentRequest,
  options: ResolveOptions = { automated: false },
): Promise<ResolvedContent> {
  const type: MessageType = req.type ?? (req.media ? 'document' : 'text');
  const unused = unusedParts(req, type);
  if (unused.length > 0) {
    throw new AppError(
      'validation_failed',
      `Parts of this request would not be sent: ${unused.map((u) => u.field).join(', ')}.`,
      { fields: unused },
    );
  }
  const rendered = req.template
    ? await renderTemplateText(ctx, advisorId, req.template, req.variables ?? {}, options)
    : null;

  if (type === 'text') {
    const text = rendered?.text ?? req.text?.trim() ?? '';
    if (!text) {
      throw new AppError('validation_failed', 'A text message needs `text` or a `template`.', {
        fields: [{ field: 'text', message: 'is required' }],
      });
    }
    if (text.length > WHATSAPP_TEXT_MAX_LENGTH)
      throw tooLong(req, 'text', text.length, WHATSAPP_TEXT_MAX_LENGTH);
    return {
      type,
      text,
      caption: null,
      mediaUrl: null,
      upload: null,
      mimetype: null,
      fileName: null,
      template: rendered?.template ?? null,
    };
  }

  const media = req.media;
  if (!media || (!media.url && !media.base64) || (media.url && media.base64)) {
    throw new AppError(
      'validation_failed',
      `${capitalized(withArticle(type))} message needs exactly one of media.url or media.base64.`,
      {
        fields: [{ field: 'media', message: 'give either url or base64' }],
      },
    );
  }
  // A blank caption is no caption (stored null, not ""): the gateway request leaves an empty one
  // out, so Evolution's echo carries none, and a row holding "" never matched the echo that
  // confirms a send whose answer was lost: its retry sent the client a second copy.
  const caption = rendered?.text ?? (given(req.caption) ? req.caption!.trim() : null);
  if (caption && type === 'audio') {
    // WhatsApp shows no caption on a voice note or audio file: it would be stored, not sent.
    throw new AppError(
      'validation_failed',
      'An audio message cannot carry a caption (WhatsApp shows none).',
      {
        fields: [{ field: req.template ? 'template' : 'caption', message: 'not allowed with type audio' }],
      },
    );
  }
  if (caption && caption.length > CAPTION_MAX_LENGTH)
    throw tooLong(req, 'caption', caption.length, CAPTION_MAX_LENGTH);
  // A blank fileName is no fileName, as a blank caption is no caption. Kept as "", the worker left
  // it out of the gateway request, and Evolution refuses a base64 document without a file name:
  // the send was accepted (202) and then failed for good.
  const givenFileName = given(media.fileName) ? nameOfFile(media.fileName!) : undefined;
  if (media.url) {
    let url: URL;
    try {
      url = new URL(media.url);
    } catch {
      throw new AppError('validation_failed', 'media.url is not a URL.', {
        fields: [{ field: 'media.url', message: 'must be an https URL' }],
      });
    }
    if (url.protocol !== 'https:' && !(ctx.sandbox && url.protocol === 'http:')) {
      throw new AppError('validation_failed', 'media.url must use https.', {
        fields: [{ field: 'media.url', message: 'must be an https URL' }],
      });
    }
    // The built-in sandbox fetches nothing; a real gateway would fetch this from inside its network.
    const problem = ctx.sandbox ? null : mediaUrlProblem(url);
    if (problem) {
      throw new AppError('validation_failed', `media.url ${problem}.`, {
        fields: [{ field: 'media.url', message: problem }],
      });
    }
    // No bytes to look at here: a declared type of another family than `type` contradicts it.
    const family = media.mimetype?.split('/')[0]?.toLowerCase();
    if (family && type !== 'document' && family !== type) {
      throw new AppError(
        'validation_failed',
        `media.mimetype ${media.mimetype} is not ${withArticle(type)} type.`,
        {
          fields: [{ field: 'media.mimetype', message: `must be ${type}/… for type ${type}` }],
        },
      );
    }
    // "a%2Fb.pdf" decodes to a path too.
    const name = givenFileName ?? nameOfFile(fileNameOf(url)) ?? null;
    // Undeclared, a recording's type is what its name says when that makes it a voice note.
    const mimetype =
      media.mimetype ?? (type === 'audio' && name ? audioTypeToConvertOfName(name) : undefined) ?? null;
    // The name the gateway will give the file (it takes the type from its extension): stored so
    // that the history shows what the client got.
    const fileName = fileNameToSend(type, name, mimetype);
    return {
      type,
      text: null,
      caption,
      mediaUrl: url.toString(),
      upload: null,
      mimetype,
      fileName,
      template: rendered?.template ?? null,
    };
  }
  const { bytes, dataUrlType } = decodeBase64(media.base64!, ctx.config.limits.mediaBytes);
  if (bytes.length > ctx.config.limits.mediaBytes) throw mediaTooLarge(ctx.config.limits.mediaBytes);
  if (bytes.length === 0) {
    throw new AppError('validation_failed', 'media.base64 is empty.', {
      fields: [{ field: 'media.base64', message: 'is empty' }],
    });
  }
  // What the caller says the file is: media.mimetype, else its data URL's type. Without the
  // latter, a .docx sent as "data:application/vnd…wordprocessingml.document;base64,…" went out
  // as application/zip (what its bytes are), and a CSV as application/octet-stream.
  const declared = media.mimetype ?? dataUrlType;
  const declaredBy = media.mimetype !== undefined ? 'media.mimetype' : "media.base64's data URL";
  // Asked for audio, a container that may hold only sound (an M4A branded as a plain MP4, a
  // browser's WebM recording) is that sound: file-type calls them video, and they were refused.
  const sniffed = type === 'audio' ? sniffedAsAudio(await sniffMedia(bytes)) : await sniffMedia(bytes);
  if (type !== 'document' && sniffed?.kind !== type) {
    throw new AppError(
      'unsupported_media_type',
      `The file is not ${withArticle(type)}${sniffed ? ` (it looks like ${sniffed.mimetype})` : ''}.`,
      {
        expected: type,
        detected: sniffed?.mimetype ?? null,
      },
    );
  }
  if (refutesDeclared(sniffed, declared)) {
    throw new AppError(
      'unsupported_media_type',
      `The file is not ${declared} as ${declaredBy} says${sniffed ? ` (it looks like ${sniffed.mimetype})` : ''}.`,
      { declared, detected: sniffed?.mimetype ?? null },
    );
  }
  // The gateway labels a file by its name's extension (images excepted: re-encoded as JPEG), so a
  // name the bytes refute would reach the client as a file of that type, which nothing opens.
  const nameType = givenFileName && type !== 'image' ? typeOfFileName(givenFileName) : undefined;
  if (refutesFileName(sniffed, nameType)) {
    throw new AppError(
      'unsupported_media_type',
      `The file is not ${nameType} as its name "${givenFileName}" says${sniffed ? ` (it looks like ${sniffed.mimetype})` : ''}: give it the extension of its type.`,
      { field: 'media.fileName', declared: nameType, detected: sniffed?.mimetype ?? null },
    );
  }
  // Undeclared, the type is what the name says (the bytes allow it: checked above), as the gateway
  // will label the file by it. The history said application/octet-stream for a notas.txt the
  // client got as text/plain, and application/zip for a plan.docx it got as a Word file.
  const typed = declared ?? nameType;
  const mimetype = sniffed ? reconcileMimetype(sniffed, typed) : (typed ?? 'application/octet-stream');
  const fileName = fileNameToSend(type, givenFileName ?? null, mimetype);
  return {
    type,
    text: null,
    caption,
    mediaUrl: null,
    upload: { bytes, mimetype, fileName },
    mimetype,
    fileName,
    template: rendered?.template ?? null,
  };
}

/**
 * The name to give the gateway for a file: Evolution takes the type from the name's extension
 * whenever there is a name, so a name without one gets the extension of the file's type, and one
 * whose type nothing tells is left out or called ….bin (mediaFileName). A video given no name is
 * called "video": Evolution names such a video video.mp4 and labels it video/mp4 by that name
 * (§3.11), so a WebM or QuickTime file reached the client as MP4. A document given no name is
 * called "document": Evolution refuses an uploaded one without a name, and names a URL one from
 * the URL with /.*\/(.+?)\./, so one whose path ends in "/" or holds no name ("…/descargas/",
 * "…/?id=5") reached the client as "cdn" (of "cdn.example.com"), of no type. An image's name is
 * kept for the history only: the gateway sends none.
 */
function fileNameToSend(
  type: Exclude<MessageType, 'text'>,
  given: string | null,
  mimetype: string | null | undefined,
): string | null {
  if (type === 'image') return given;
  // A voice note Evolution converts carries no name.
  if (type === 'audio' && isAudioToConvert(mimetype)) return null;
  const named = given ?? (type === 'video' || type === 'document' ? type : null);
  return named === null ? null : (mediaFileName(type, named, mimetype) ?? null);
}

/**
 * A caller's file name without the folders in front of it, undefined for none: a browser's file
 * input says "C:\\fakepath\\plan.pdf" as its value, and the client's WhatsApp showed the document
 * under that whole path (or "informes/2026/plan.pdf", a caller's own folders).
 */
function nameOfFile(fileName: string): string | undefined {
  const name = fileName.split(/[\\/]/).pop()!.trim();
  return name === '' ? undefined : name;
}

/** The URL's last path segment, %-decoded when it decodes ("plan%20semanal.pdf"), as written if not ("100%.pdf"). */
function fileNameOf(url: URL): string {
  const segment = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment; // a malformed %-escape: URIError
  }
}
