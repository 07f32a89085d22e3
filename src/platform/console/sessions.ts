import { and, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.ts';
import { newSecret, sha256 } from '../ids.ts';
import { findPerson, type Person } from '../tenancy/tenancy.ts';
import { webSessions } from './schema.ts';

/**
 * Server-side console sessions. The cookie carries a random token; the database keeps only its SHA-256,
 * so a leaked table cannot be replayed, and signing out (or an admin) can revoke a session at once.
 */
export const SESSION_COOKIE = 'opsbase_session';
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface ConsoleSession {
  person: Person;
  tokenHash: string;
}

function cookieOptions(ctx: AppContext) {
  return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: ctx.config.secureCookies };
}

export async function startSession(ctx: AppContext, reply: FastifyReply, personId: string): Promise<void> {
  const token = newSecret();
  await ctx.db.orm.insert(webSessions).values({ tokenHash: sha256(token), personId, expiresAt: new Date(Date.now() + SESSION_TTL_MS) });
  reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions(ctx), maxAge: SESSION_TTL_MS / 1000 });
}

/** The signed-in person of this request, or null. Cached on the request. */
export async function currentSession(ctx: AppContext, request: FastifyRequest): Promise<ConsoleSession | null> {
  const cached = (request as { opsbaseSession?: ConsoleSession | null }).opsbaseSession;
  if (cached !== undefined) return cached;
  let session: ConsoleSession | null = null;
  const token = request.cookies?.[SESSION_COOKIE];
  if (token && token.length <= 100) {
    const tokenHash = sha256(token);
    const [row] = await ctx.db.orm
      .select({ personId: webSessions.personId })
      .from(webSessions)
      .where(and(eq(webSessions.tokenHash, tokenHash), gt(webSessions.expiresAt, sql`now()`)));
    const person = row ? await findPerson(ctx.db.orm, row.personId) : null;
    session = person ? { person, tokenHash } : null;
  }
  (request as { opsbaseSession?: ConsoleSession | null }).opsbaseSession = session;
  return session;
}

export async function endSession(ctx: AppContext, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const session = await currentSession(ctx, request);
  if (session) await ctx.db.orm.delete(webSessions).where(eq(webSessions.tokenHash, session.tokenHash));
  reply.clearCookie(SESSION_COOKIE, cookieOptions(ctx));
}

/**
 * preHandler for pages that need a signed-in person: others are sent to sign in and brought back to the
 * page they asked for (the OAuth consent screen relies on this).
 */
export function requireSignIn(ctx: AppContext) {
  return async function requireSignedInPerson(request: FastifyRequest, reply: FastifyReply) {
    if (await currentSession(ctx, request)) return;
    const next = request.method === 'GET' ? request.url : '/';
    return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
  };
}

/**
 * Only same-site relative paths may be a post-sign-in destination (no open redirects). Printable ASCII
 * only: browsers drop tabs and newlines from URLs, so `/<TAB>/evil.example` would become `//evil.example`,
 * and a non-ASCII Location header cannot be sent at all.
 */
export function safeNextPath(next: unknown): string {
  if (typeof next !== 'string' || next.length > MAX_NEXT_LENGTH || !/^\/[\x21-\x7e]*$/.test(next)) return '/';
  if (next.startsWith('//') || next.includes('\\')) return '/';
  return next;
}
const MAX_NEXT_LENGTH = 4096;

/** Revokes one session (e.g. the one a person had before signing in again). */
export async function revokeSession(ctx: AppContext, tokenHash: string): Promise<void> {
  await ctx.db.orm.delete(webSessions).where(eq(webSessions.tokenHash, tokenHash));
}

/**
 * Deletes at most `limit` expired sessions (oldest first, through the expiry index), so one purge never
 * holds the table for long; returns how many it deleted.
 */
export async function purgeExpiredSessions(ctx: AppContext, limit = 1000): Promise<number> {
  const expired = ctx.db.orm
    .select({ tokenHash: webSessions.tokenHash })
    .from(webSessions)
    .where(lt(webSessions.expiresAt, sql`now()`))
    .orderBy(webSessions.expiresAt)
    .limit(limit);
  const deleted = await ctx.db.orm.delete(webSessions).where(inArray(webSessions.tokenHash, expired));
  return deleted.rowCount ?? 0;
}
