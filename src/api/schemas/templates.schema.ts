// Request and response schemas for the template routes (API.md, "Templates"). Requests are only
// checked for shape here; the template rules (key format, lengths, variables) live in the domain
// and answer 422 with the fields that break them.
import { z } from 'zod';
import { TEMPLATE_CATEGORIES, TEMPLATE_LANGUAGES } from '../../domain/templates/index.js';

export const templateSchema = z.object({
  id: z.string().describe('A uuid for the advisor\'s templates, "builtin:<key>:<language>" for built-ins'),
  key: z.string(),
  name: z.string(),
  category: z.enum(TEMPLATE_CATEGORIES),
  language: z.enum(TEMPLATE_LANGUAGES),
  body: z.string(),
  variables: z.array(z.string()),
  customVariables: z.array(z.string()),
  builtIn: z.boolean(),
  overridesBuiltIn: z.boolean(),
  usageCount: z.number().int(),
  unfillableVariables: z.array(z.string()),
  createdAt: z.date().nullable(),
  updatedAt: z.date().nullable(),
});

const rerendered = z
  .number()
  .int()
  .min(0)
  .describe('How many planned appointment messages the change rewrote (claimed ones are left as they were)');

/** PUT answers the template and how many planned messages it rewrote. */
export const templateUpdateSchema = templateSchema.extend({ rerendered });

export const templateListSchema = z.object({ items: z.array(templateSchema) });

export const templateIdParamsSchema = z.object({ id: z.string().min(1).max(200) });

const variableNames = z.array(z.string().max(200)).max(100);

export const createTemplateBodySchema = z
  .object({
    key: z.string().max(200),
    name: z.string().max(1_000),
    category: z.enum(TEMPLATE_CATEGORIES),
    language: z.enum(TEMPLATE_LANGUAGES),
    body: z.string(),
    customVariables: variableNames.optional(),
    overridesBuiltIn: z.boolean().optional(),
  })
  .strict();

export const updateTemplateBodySchema = z
  .object({
    name: z.string().max(1_000).optional(),
    category: z.enum(TEMPLATE_CATEGORIES).optional(),
    body: z.string().optional(),
    customVariables: variableNames.optional(),
  })
  .strict();

/**
 * A variable's value: a string, or a number written as its text. A whole number past 2^53 has
 * already lost digits when JSON is read (12345678901234567890 arrives as 12345678901234567000),
 * so it is refused, asking for a string, instead of sending the client other digits. The send and
 * the preview take the same values, so a preview shows what that send would send.
 */
export const templateVariableValue = z
  .union([
    z.string(),
    z.number().refine((n) => !Number.isInteger(n) || Number.isSafeInteger(n), {
      message: 'is too large to be exact as a JSON number: send it as a string',
    }),
  ])
  .transform(String);

// Optional body: Fastify hands a request without one to the schema as null, not undefined.
export const previewTemplateBodySchema = z
  .object({ variables: z.record(z.string().max(200), templateVariableValue).optional() })
  .strict()
  .nullish();

export const templatePreviewSchema = z.object({
  text: z.string(),
  missing: z.array(z.string()),
  unknown: z.array(z.string()),
  length: z.number().int(),
});
