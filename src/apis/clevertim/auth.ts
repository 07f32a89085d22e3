import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../platform/context.ts';
import { verifyApiToken } from '../../platform/credentials/api-tokens.ts';
import { groupMaskOf } from '../../platform/tenancy/groups.ts';
import { clevertimError } from './errors.ts';
import { mayDo, seesEverything, type Caller, type Permission } from './records/caller.ts';
import { ensureUserId } from './records/users.ts';

/** The API's name among the platform's personal API tokens. */
export const CLEVERTIM_TOKEN_API = 'clevertim';

/**
 * Authentication (seed "Authentication", spec 2.2): HTTP Basic with the user's API token as the user
 * name and any password. The token is taken from the header by R-2, which also accepts the Python 3
 * client's `Basic b'<base64>'` (it formats the bytes object, quotes and all, spec 7.1). Every failure is
 * the same 401: which part was wrong is not the caller's business.
 */
export function tokenFromAuthorization(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^\s*basic\s+(.+?)\s*$/i.exec(header);
  if (!match) return null;
  let credentials = match[1]!;
  const wrapped = /^b(['"])(.*)\1$/.exec(credentials);
  if (wrapped) credentials = wrapped[2]!;
  if (credentials.length > 1000 || !/^[A-Za-z0-9+/]+={0,2}$/.test(credentials)) return null;
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  // User name up to the first colon; the password is ignored, and may be absent.
  const colon = decoded.indexOf(':');
  const token = colon < 0 ? decoded : decoded.slice(0, colon);
  return token === '' ? null : token;
}

const callers = new WeakMap<FastifyRequest, Caller>();

/** onRequest hook for every API path: resolves the caller or answers 401. */
export function registerTokenAuth(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request) => {
    const token = tokenFromAuthorization(request.headers.authorization);
    const holder = token ? await verifyApiToken(ctx.db.orm, CLEVERTIM_TOKEN_API, token) : null;
    if (!holder) throw clevertimError('authentication_failed');
    // Owners and admins see every record whatever its groups: their group mask is never asked.
    const needsGroups = !seesEverything({ role: holder.role });
    const [userId, groupMask] = await Promise.all([
      ensureUserId(ctx.db.orm, holder.companyId, holder.personId),
      needsGroups ? groupMaskOf(ctx.db.orm, holder.companyId, holder.personId) : Promise.resolve(0),
    ]);
    callers.set(request, { companyId: holder.companyId, companyName: holder.companyName, personId: holder.personId, role: holder.role, userId, groupMask });
  });
}

export function callerOf(request: FastifyRequest): Caller {
  const caller = callers.get(request);
  if (!caller) throw new Error('callerOf() used on a route outside the token-authenticated API paths');
  return caller;
}

const DENIALS: Record<Permission, string> = {
  canedit: 'add or change records',
  candelete: 'delete records',
  canexport: 'export records',
};

/**
 * R-4, before the body is looked at: "if the user has read-only access, writing via the API will fail"
 * (seed). POST and PUT need canedit, DELETE candelete; owners and admins may do all.
 */
export function requirePermission(permission: Permission) {
  return async function requireClevertimPermission(request: FastifyRequest): Promise<void> {
    const caller = callerOf(request);
    if (mayDo(caller.role, permission)) return;
    throw clevertimError('permission_denied', `Permission denied: your access to ${caller.companyName} is read-only (role ${caller.role}); it does not allow you to ${DENIALS[permission]}.`);
  };
}
