import { and, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../db/database.ts';
import { sha256 } from '../ids.ts';
import { signInFailures } from './schema.ts';

/**
 * Throttling of failed console sign-ins, per email and per client address, in fixed windows kept in
 * PostgreSQL so every node counts together.
 *
 * Each attempt is counted *before* its password is checked, with one atomic upsert for both keys: a burst
 * of parallel guesses cannot all slip past a "check, then count the failure" gap, because the row lock of
 * INSERT ... ON CONFLICT DO UPDATE makes every attempt see the ones before it. An attempt over a limit is
 * refused without checking the password. A successful sign-in is then given back: the email's counter is
 * cleared and the address's is decremented, so only failures accumulate.
 */
export const SIGN_IN_WINDOW_MS = 15 * 60 * 1000;
export const MAX_FAILURES_PER_EMAIL = 5;
export const MAX_FAILURES_PER_ADDRESS = 50;

export interface ThrottleKeys {
  email: string;
  address: string;
}

/**
 * The email is stored hashed: people type passwords into the email field, and the table should not
 * collect them (or the addresses of people who merely mistyped).
 */
export function throttleKeys(email: string, address: string): ThrottleKeys {
  return { email: `email:${sha256(email.trim().toLowerCase())}`, address: `address:${address}` };
}

export type AttemptDecision =
  | { allowed: true; addressWindowStart: Date }
  | { allowed: false; retryAfterSeconds: number };

/**
 * Counts one sign-in attempt for both keys and says whether it may check its password. Windows follow the
 * database's clock, so nodes with skewed clocks still share them.
 */
export async function claimSignInAttempt(db: Database, keys: ThrottleKeys): Promise<AttemptDecision> {
  // A key whose window has passed starts a new one at 1; otherwise it counts on in its window.
  const { rows } = await db.pool.query<{ key: string; failures: number; window_start: Date; seconds_left: number }>(
    `INSERT INTO sign_in_failures AS f (key, failures, window_start)
       VALUES ($1, 1, now()), ($2, 1, now())
     ON CONFLICT (key) DO UPDATE SET
       failures = CASE WHEN f.window_start <= now() - make_interval(secs => $3) THEN 1 ELSE f.failures + 1 END,
       window_start = CASE WHEN f.window_start <= now() - make_interval(secs => $3) THEN excluded.window_start ELSE f.window_start END
     RETURNING f.key, f.failures, f.window_start,
       ceil(extract(epoch FROM f.window_start + make_interval(secs => $3) - now()))::int AS seconds_left`,
    [keys.email, keys.address, SIGN_IN_WINDOW_MS / 1000],
  );
  const emailRow = rows.find((r) => r.key === keys.email)!;
  const addressRow = rows.find((r) => r.key === keys.address)!;
  const over = [
    ...(emailRow.failures > MAX_FAILURES_PER_EMAIL ? [emailRow] : []),
    ...(addressRow.failures > MAX_FAILURES_PER_ADDRESS ? [addressRow] : []),
  ];
  if (over.length === 0) return { allowed: true, addressWindowStart: addressRow.window_start };
  return { allowed: false, retryAfterSeconds: Math.max(1, ...over.map((r) => r.seconds_left)) };
}

/** A successful sign-in: the email starts afresh, and the address gets back the attempt it was charged. */
export async function forgiveSignInAttempt({ orm }: Database, keys: ThrottleKeys, addressWindowStart: Date): Promise<void> {
  await orm.delete(signInFailures).where(eq(signInFailures.key, keys.email));
  await orm
    .update(signInFailures)
    .set({ failures: sql`${signInFailures.failures} - 1` })
    .where(and(eq(signInFailures.key, keys.address), eq(signInFailures.windowStart, addressWindowStart), gt(signInFailures.failures, 0)));
}

/** Deletes at most `limit` counters whose window has passed: they no longer refuse anything. */
export async function purgeOldSignInFailures({ orm }: Database, limit = 1000): Promise<number> {
  const old = orm
    .select({ key: signInFailures.key })
    .from(signInFailures)
    .where(lt(signInFailures.windowStart, sql`now() - make_interval(secs => ${SIGN_IN_WINDOW_MS / 1000})`))
    .limit(limit);
  const deleted = await orm.delete(signInFailures).where(inArray(signInFailures.key, old));
  return deleted.rowCount ?? 0;
}

export function retryMessage(retryAfterSeconds: number): string {
  const minutes = Math.ceil(retryAfterSeconds / 60);
  return `Too many failed sign-ins; try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
}
