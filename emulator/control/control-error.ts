// Errors of the control API use the platform's error body (API.md "Errors"), not the gateway's envelope:
// the control API is ours, and tests read it like the rest of our API.
import type { z } from 'zod';

export class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): { error: { code: string; message: string; details: Record<string, unknown> } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    throw new ControlError(
      400,
      'invalid_body',
      issues.map((i) => `${i.path || 'body'}: ${i.message}`).join('; '),
      {
        issues,
      },
    );
  }
  return result.data;
}
