import { Type } from 'typebox';
import type { FastifyInstance } from 'fastify';
import type { Plan } from '../../platform/tenancy/schema.ts';
import { callerOf } from './auth.ts';
import { errorResponses } from './errors.ts';

/** BlueClerk plan codes; trial never reaches here, the bearer hook refuses it. */
const PLAN_CODES = { trial: 'FREE_TRIAL', starter: 'STARTER', pro: 'PRO', business: 'BUSINESS', enterprise: 'ENTERPRISE' } as const satisfies Record<Plan, string>;

/** Spec 4.8: who the token speaks for, which company, which app, which scopes, until when. */
export const MeSchema = Type.Object(
  {
    user: Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
    company: Type.Object({
      id: Type.String(),
      name: Type.String(),
      plan: Type.Union([Type.Literal('STARTER'), Type.Literal('PRO'), Type.Literal('BUSINESS'), Type.Literal('ENTERPRISE')]),
    }),
    clientId: Type.String({ description: 'The client_id of the app the token was issued to' }),
    scopes: Type.Array(Type.String()),
    expiresAt: Type.String({ description: 'When this access token expires (ISO 8601 UTC)' }),
  },
  { $id: 'Me' },
);

/** Seed field convention: ISO 8601 UTC to the second, e.g. 2026-05-09T14:00:00Z (truncated, so never late). */
function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function registerMeRoute(app: FastifyInstance): void {
  app.get(
    '/me',
    {
      schema: {
        tags: ['Me'],
        summary: 'The company, person, app and scopes of the access token',
        security: [{ oauth2: [] }],
        response: { 200: MeSchema, ...errorResponses(401, 403, 429) },
      },
    },
    async (request) => {
      const caller = callerOf(request);
      return {
        user: { id: caller.personId, name: caller.personName, email: caller.personEmail },
        company: { id: caller.companyId, name: caller.companyName, plan: PLAN_CODES[caller.companyPlan] },
        clientId: caller.clientId,
        scopes: caller.scopes,
        expiresAt: isoSeconds(caller.expiresAt),
      };
    },
  );
}
