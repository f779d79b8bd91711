// The schema compiler every route validates with: fastify-type-provider-zod's, except that a query
// parameter given empty (`?since=`, `?limit=`) counts as absent. API.md writes the history's URL
// with every filter empty, and forms and HTTP clients send unset filters that way; read as values,
// such a URL was refused (`since` is no instant, `limit` coerced to 0), while `?status=` and
// `?cursor=` already meant "no filter" to the routes. Body fields treat blanks the same way.
import type { FastifySchemaCompiler } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { $ZodType } from 'zod/v4/core';

/** The query without its empty parameters; a repeated one (an array) is left to its schema. */
export function withoutEmptyParameters(query: unknown): unknown {
  if (query === null || typeof query !== 'object') return query;
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ''));
}

export const apiValidatorCompiler: FastifySchemaCompiler<$ZodType> = (route) => {
  const validate = validatorCompiler(route);
  if (route.httpPart !== 'querystring') return validate;
  return (query: unknown) => validate(withoutEmptyParameters(query));
};
