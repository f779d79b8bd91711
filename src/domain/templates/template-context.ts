import type { DomainContext } from '../context.js';

/** What the template use cases need: the database, and the settings bounds to read the advisor's locale. */
export type TemplateContext = Pick<DomainContext, 'db' | 'bounds'>;
