// better-auth for advisors (email + password, session cookie), the admin role, and API keys for
// the booking module. Built inline with its plugins so auth.api keeps their typed methods.
import { betterAuth } from 'better-auth';
import { APIError } from 'better-auth/api';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { admin } from 'better-auth/plugins';
import { apiKey } from '@better-auth/api-key';
import { eq } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';
import * as schema from '../db/schema/index.js';

export interface AuthOptions {
  db: Db;
  secret: string;
  baseUrl: string;
  /** Extra origins allowed to call the auth routes (the dashboard is same-origin). */
  trustedOrigins?: string[];
  logger?: Logger;
  /** The account signing up with this email becomes a platform admin. */
  adminEmail?: string | null;
  /**
   * Runs before an account is deleted (better-auth's admin `remove-user`): what the service holds
   * outside the database for it, its WhatsApp instance on the gateway. A throw keeps the account.
   */
  beforeUserRemoved?: (userId: string) => Promise<void>;
}

/** better-auth's code for a removal refused because the gateway could not let the number go. */
export const GATEWAY_UNAVAILABLE_AUTH_CODE = 'GATEWAY_UNAVAILABLE';

export function createAuth(options: AuthOptions) {
  return betterAuth({
    database: drizzleAdapter(options.db, { provider: 'pg', schema }),
    secret: options.secret,
    baseURL: options.baseUrl,
    basePath: '/api/auth',
    trustedOrigins: options.trustedOrigins ?? [],
    telemetry: { enabled: false },
    // better-auth skips its origin (CSRF) check when NODE_ENV is test; the service checks it
    // everywhere, so the tests exercise what production does.
    advanced: { disableOriginCheck: false },
    // Into our JSON logs; a rejected key or password is expected traffic, not an error.
    logger: {
      level: 'warn',
      log: (level, message) =>
        options.logger?.[level === 'error' ? 'warn' : level]({ component: 'auth' }, message),
    },
    emailAndPassword: { enabled: true, minPasswordLength: 8, autoSignIn: true },
    // Our own per-caller limiter (Redis-backed) covers /api; better-auth's in-memory one would
    // not be shared between processes.
    rateLimit: { enabled: false },
    databaseHooks: {
      user: {
        create: {
          before: async (newUser, context) => {
            checkAdminFields(newUser);
            const isAdminEmail =
              !!options.adminEmail && newUser.email.toLowerCase() === options.adminEmail.toLowerCase();
            // Only a platform admin's create-user chooses a role (checked above: "user" or
            // "admin"); a sign-up never does. Writing "user" over it made an admin's new admin an
            // advisor, answered 200.
            const askedByAdmin = context?.path === '/admin/create-user' && newUser.role === 'admin';
            return {
              data: {
                ...newUser,
                name: checkedName(newUser.name),
                role: isAdminEmail || askedByAdmin ? 'admin' : 'user',
              },
            };
          },
        },
        delete: {
          // The account's rows go with it (foreign keys), but its Evolution instance lives on the
          // gateway: left there, the number stayed linked to an instance nobody owned, and its
          // webhooks kept arriving. Removed first; if the gateway cannot, the account stays (the
          // admin tries again) rather than leave the number linked with no way to unlink it here.
          before: async (removed) => {
            if (!options.beforeUserRemoved) return;
            try {
              await options.beforeUserRemoved(removed.id);
            } catch (err) {
              options.logger?.warn(
                { component: 'auth', userId: removed.id, err: (err as Error).message },
                'account not removed: its WhatsApp instance could not be removed from the gateway',
              );
              throw new APIError('SERVICE_UNAVAILABLE', {
                message: `The account was not removed: its WhatsApp instance could not be removed from the gateway (${(err as Error).message}). Try again in a moment.`,
                code: GATEWAY_UNAVAILABLE_AUTH_CODE,
              });
            }
          },
          // Every other row of the account goes through its foreign key; better-auth's apikey
          // table has none (`reference_id` may name an organization), so the account's keys,
          // their names and hashes stayed behind after the removal, each use of one still costing
          // better-auth's full check before being refused.
          after: async (removed) => {
            await options.db.delete(schema.apikey).where(eq(schema.apikey.referenceId, removed.id));
          },
        },
        update: {
          // better-auth's update-user passes `name` and `image` through unchecked: a null name was a
          // NOT NULL violation (a 500), `[]` stored an empty name and an object image
          // "[object Object]". Whatever type comes, the same rules as at sign-up.
          before: async (change) => {
            const data: Record<string, unknown> = { ...change };
            checkAdminFields(data);
            if (data.name !== undefined) data.name = checkedName(data.name);
            if (data.image !== undefined && data.image !== null && typeof data.image !== 'string') {
              throw new APIError('UNPROCESSABLE_ENTITY', {
                message: 'image must be a URL (a string) or null',
                code: 'INVALID_IMAGE',
              });
            }
            return { data: data as typeof change };
          },
        },
      },
    },
    plugins: [
      admin({ defaultRole: 'user', adminRoles: ['admin'] }),
      // Keys are created only through POST /api/api-keys, whose schema holds the name to
      // API_KEY_NAME_MAX_LENGTH characters (code points). better-auth counts UTF-16 units, so its
      // own limit must leave room for that many characters outside the BMP (an emoji is two):
      // at 32, a name of 17 to 32 emoji passed the schema and was refused here as a bare 400.
      apiKey({
        apiKeyHeaders: 'x-api-key',
        defaultPrefix: 'ww_',
        rateLimit: { enabled: false },
        maximumNameLength: API_KEY_NAME_MAX_LENGTH * 2,
      }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

/** An API key's name (POST /api/api-keys): 1–32 characters, as the route's schema counts them. */
export const API_KEY_NAME_MAX_LENGTH = 32;

/** The name is shown to clients ({nombre_asesor}) and makes the public slug: 1–100 characters. */
export const ADVISOR_NAME_MAX_LENGTH = 100;

/** The name as it is stored (trimmed), or null for one that is refused. */
export function acceptedName(name: unknown): string | null {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  return trimmed.length === 0 || trimmed.length > ADVISOR_NAME_MAX_LENGTH ? null : trimmed;
}

function checkedName(name: unknown): string {
  const accepted = acceptedName(name);
  if (accepted === null) {
    throw new APIError('UNPROCESSABLE_ENTITY', {
      message: `name must be 1–${ADVISOR_NAME_MAX_LENGTH} characters (it is shown to your clients)`,
      code: 'INVALID_NAME',
    });
  }
  return accepted;
}

/** The latest instant a date column is written with (later years do not round-trip). */
const LAST_STORABLE_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * The columns better-auth's admin routes write straight from the admin's request (update-user's
 * and create-user's `data`, ban-user's `banExpiresIn`), unchecked: a string in `banned`, a null
 * `emailVerified` or an impossible date (`banExpiresIn: 1e12` is the year 33,658) was a database
 * error, answered 500. Now 422, naming the field.
 */
function checkAdminFields(data: Record<string, unknown>): void {
  const refuse = (field: string, rule: string): never => {
    throw new APIError('UNPROCESSABLE_ENTITY', { message: `${field} ${rule}`, code: 'INVALID_FIELD' });
  };
  // better-auth reads a role as a comma-separated list ("admin,user" is an admin to its own admin
  // routes); this service's checks compare with "admin" exactly. Two roles, one name each, so both
  // agree on who is an admin.
  if (data.role !== undefined && data.role !== 'user' && data.role !== 'admin') {
    refuse('role', 'must be "user" or "admin"');
  }
  for (const [field, nullable] of [
    ['banned', true],
    ['emailVerified', false],
  ] as const) {
    const v = data[field];
    if (v !== undefined && typeof v !== 'boolean' && !(v === null && nullable))
      refuse(field, `must be true or false${nullable ? ' (or null)' : ''}`);
  }
  for (const [field, nullable] of [
    ['banExpires', true],
    ['createdAt', false],
    ['updatedAt', false],
  ] as const) {
    const v = data[field];
    if (v === undefined || (v === null && nullable)) continue;
    const ms = v instanceof Date || typeof v === 'string' ? new Date(v).getTime() : NaN;
    if (!(ms >= 0 && ms <= LAST_STORABLE_MS))
      refuse(field, `must be a date between 1970 and 9999${nullable ? ' (or null)' : ''}`);
  }
}
