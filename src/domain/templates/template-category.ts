/** A tuple, not just a union, so API schemas can build their enum from it (`z.enum(TEMPLATE_CATEGORIES)`). */
export const TEMPLATE_CATEGORIES = ['confirmation', 'reminder', 'follow_up', 'custom'] as const;

export type TemplateCategory = (typeof TEMPLATE_CATEGORIES)[number];
