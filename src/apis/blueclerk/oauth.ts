import { PlanRequired } from '../../platform/oauth/errors.ts';
import type { OAuthServerConfig } from '../../platform/oauth/config.ts';

/** BlueClerk's nine scopes (seed), with the words the consent screen shows for each. */
export const BLUECLERK_SCOPES = {
  'leads:write': { description: 'Push leads into your account (each one becomes a ticket)' },
  'tickets:read': { description: 'See your tickets' },
  'tickets:write': { description: 'Create and update your tickets' },
  'jobs:read': { description: 'See your jobs' },
  'properties:read': { description: 'See your properties' },
  'estimates:read': { description: 'See your estimates' },
  'invoices:read': { description: 'See your invoices' },
  'contacts:read': { description: 'See your homeowner and builder contacts' },
  'webhooks:manage': { description: 'Create, list and delete webhooks that send your company’s events to the app' },
} as const;

export type BlueClerkScope = keyof typeof BLUECLERK_SCOPES;

/** Seed "Plan Gating": free-trial companies cannot mint tokens, at consent, at the token endpoint and on API calls. */
export function refuseTrialCompany(company: { name: string; plan: string }): PlanRequired | null {
  if (company.plan !== 'trial') return null;
  return new PlanRequired(`${company.name} is on a free trial; the BlueClerk API needs a paid plan (Starter or above).`);
}

/** The authorization server as BlueClerk's seed describes it: code + PKCE, rotating refresh tokens, bc_ prefixes. */
export const blueClerkOAuth: OAuthServerConfig = {
  api: 'blueclerk',
  apiTitle: 'BlueClerk',
  issuerPath: '/blueclerk',
  scopes: BLUECLERK_SCOPES,
  tokenPrefixes: { access: 'bc_at_', refresh: 'bc_rt_' },
  lifetimes: { accessTokenSeconds: 60 * 60, refreshTokenSeconds: 90 * 24 * 60 * 60, authorizationCodeSeconds: 10 * 60 },
  refreshPolicy: 'rotate',
  grantTypes: ['authorization_code', 'refresh_token'],
  pkce: 'S256-required',
  clientAuthMethods: ['client_secret_post', 'client_secret_basic'],
  tokenFormat: 'opaque',
  checkCompany: refuseTrialCompany,
};
