import { deleteTemplateRow, type TemplateRow } from '../../db/repositories/template.repository.js';
import { AppError, notFound } from '../app-error.js';
import type { TemplateContext } from './template-context.js';
import { parseTemplateIdOrThrow } from './find-template.js';

/**
 * Deletes one of the advisor's templates. Deleting an override brings the built-in back for that
 * advisor; built-ins themselves cannot be deleted. Answers the deleted row.
 */
export async function deleteTemplate(
  ctx: TemplateContext,
  advisorId: string,
  id: string,
): Promise<TemplateRow> {
  const parsed = parseTemplateIdOrThrow(id);
  if (parsed.kind === 'builtin') {
    throw new AppError(
      'forbidden',
      'Built-in templates cannot be deleted. To undo your changes to one, delete your own version of it (the template with overridesBuiltIn: true).',
    );
  }
  const deleted = await deleteTemplateRow(ctx.db, advisorId, parsed.id);
  if (!deleted) throw notFound('Template');
  return deleted;
}
