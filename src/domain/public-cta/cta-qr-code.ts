// The QR code of the public button's wa.me link (the printed card, the profile page). A QR code
// holds at most about 2,300 bytes, while the link URL-encodes the pre-filled message: an accented
// letter takes 6 characters of it, an emoji 12, so a message within the setting's 1000 characters
// can still make a link no QR code holds.
import QRCode from 'qrcode';
import { buildWaMeLink } from '../phone/index.js';

/** Medium error correction: the code still reads with part of a printed card worn or covered. */
export const CTA_QR_ERROR_CORRECTION = 'M' as const;

/** The longest number E.164 allows: a message whose link fits with it fits with any number. */
const LONGEST_NUMBER = '+999999999999999';

export const CTA_MESSAGE_TOO_LONG_FOR_QR =
  'is too long for the QR code of the link once URL-encoded (accents and emoji take several characters each): shorten it';

export function linkFitsInQrCode(url: string): boolean {
  try {
    QRCode.create(url, { errorCorrectionLevel: CTA_QR_ERROR_CORRECTION });
    return true;
  } catch {
    return false;
  }
}

/** Whether the button's link with this message has a QR code, whatever number it links. */
export function ctaMessageFitsInQrCode(message: string): boolean {
  return linkFitsInQrCode(buildWaMeLink(LONGEST_NUMBER, message));
}

/**
 * Draws the button's QR code: of its own link, or, for a message saved before the rule above whose
 * link no QR code holds, of the number's bare link (the chat opens without the text). Drawing the
 * full link threw in the QR library, and the routes answered 500: a broken image on the profile
 * page and the printed card. The link is drawn once when it fits: the library's refusal is the check.
 */
export async function drawCtaQrCode<T>(
  cta: { phone: string; url: string },
  draw: (link: string) => Promise<T>,
): Promise<T> {
  try {
    return await draw(cta.url);
  } catch (err) {
    if (linkFitsInQrCode(cta.url)) throw err;
    return draw(buildWaMeLink(cta.phone));
  }
}
