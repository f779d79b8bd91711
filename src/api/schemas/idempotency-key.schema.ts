// The Idempotency-Key header of the routes that take one: 1–255 characters (API.md).
import { z } from 'zod';

export const IDEMPOTENCY_KEY_MAX_LENGTH = 255;

/**
 * Node hands a header's bytes over as one character each (latin1), so a key a client wrote in
 * UTF-8 arrives as its bytes: measured as they come, 128 "ñ" or 64 emoji were already over 255.
 * Counted once decoded instead (zod's way, an emoji being one). The key itself stays as Node gives
 * it: the same bytes are the same key, as for the keys stored before this rule.
 */
function characters(header: string): number {
  return [...Buffer.from(header, 'latin1').toString('utf8')].length;
}

export const idempotencyKeyHeaders = z
  .object({
    'idempotency-key': z
      .string()
      .min(1)
      .refine((key) => characters(key) <= IDEMPOTENCY_KEY_MAX_LENGTH, {
        // zod's own words for a string too long, as the limit read before.
        message: `Too big: expected string to have <=${IDEMPOTENCY_KEY_MAX_LENGTH} characters`,
      })
      // A refinement is invisible to JSON Schema, so the OpenAPI document (/docs/json) states the
      // limit from this metadata. Not `.max()`: it would check it too, on the text as Node gives
      // it, one character per byte.
      .meta({ maxLength: IDEMPOTENCY_KEY_MAX_LENGTH })
      .optional(),
  })
  .passthrough();
