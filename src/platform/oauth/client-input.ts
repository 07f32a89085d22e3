import type { OAuthServerConfig } from './config.ts';

/**
 * The rules for registering an app (BlueClerk help portal, spec 2.2), checked the same way for the
 * developer portal and the CLI. Every problem is reported with its field so a form can show it beside
 * the input instead of failing on the first one.
 */
export interface ClientInput {
  name: string;
  description?: string;
  redirectUris: string[];
  scopes: string[];
  contactEmail: string;
  logoUrl?: string | null;
}

export interface ValidClientInput {
  name: string;
  description: string;
  redirectUris: string[];
  scopes: string[];
  contactEmail: string;
  logoUrl: string | null;
}

export interface FieldProblem {
  /** An input field, or for the CLI the API and owner it named. */
  field: keyof ClientInput | 'api' | 'ownerEmail';
  message: string;
}

export class ClientInputError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join('; '));
    this.name = 'ClientInputError';
  }
}

export const MAX_NAME_LENGTH = 100;
export const MAX_DESCRIPTION_LENGTH = 1000;
export const MAX_REDIRECT_URIS = 5;
const MAX_URL_LENGTH = 2000;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1']);

/** https anywhere; plain http only to this machine, for developers testing locally. No fragment (RFC 6749 3.1.2). */
export function redirectUriProblem(value: string): string | null {
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an absolute URL`;
  }
  if (url.hash || value.includes('#')) return `"${value}" must not contain a fragment (#...)`;
  if (url.username || url.password) return `"${value}" must not contain a user name or password`;
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return `"${value}" must use https (plain http is allowed only for localhost and 127.0.0.1)`;
}

/** Logos are shown in an <img> on the consent screen: https only, so no javascript:, data: or mixed content. */
export function httpsUrlProblem(value: string): string | null {
  if (value.length > MAX_URL_LENGTH) return `must be at most ${MAX_URL_LENGTH} characters`;
  try {
    return new URL(value).protocol === 'https:' ? null : 'must be an https:// URL';
  } catch {
    return 'must be an https:// URL';
  }
}

export function validateClientInput(config: Pick<OAuthServerConfig, 'scopes'>, input: ClientInput): ValidClientInput {
  const problems: FieldProblem[] = [];
  const name = (input.name ?? '').trim();
  if (name === '') problems.push({ field: 'name', message: 'Give the app a name.' });
  else if (name.length > MAX_NAME_LENGTH) problems.push({ field: 'name', message: `The name must be at most ${MAX_NAME_LENGTH} characters.` });

  const description = (input.description ?? '').trim();
  if (description.length > MAX_DESCRIPTION_LENGTH) problems.push({ field: 'description', message: `The description must be at most ${MAX_DESCRIPTION_LENGTH} characters.` });

  const redirectUris = [...new Set((input.redirectUris ?? []).map((u) => u.trim()).filter((u) => u !== ''))];
  if (redirectUris.length === 0) problems.push({ field: 'redirectUris', message: 'Give at least one redirect URI.' });
  else if (redirectUris.length > MAX_REDIRECT_URIS) problems.push({ field: 'redirectUris', message: `Give at most ${MAX_REDIRECT_URIS} redirect URIs.` });
  for (const uri of redirectUris.slice(0, MAX_REDIRECT_URIS + 1)) {
    const problem = redirectUriProblem(uri);
    if (problem) problems.push({ field: 'redirectUris', message: `Redirect URI ${problem}.` });
  }

  const known = Object.keys(config.scopes);
  const scopes = [...new Set((input.scopes ?? []).map((s) => s.trim()).filter((s) => s !== ''))];
  if (scopes.length === 0) problems.push({ field: 'scopes', message: 'Choose at least one scope.' });
  const unknown = scopes.filter((s) => !known.includes(s));
  if (unknown.length > 0) problems.push({ field: 'scopes', message: `Unknown scope ${unknown.map((s) => `"${s}"`).join(', ')}; use ${known.join(', ')}.` });

  const contactEmail = (input.contactEmail ?? '').trim();
  if (!EMAIL.test(contactEmail) || contactEmail.length > 254) problems.push({ field: 'contactEmail', message: 'Give a contact email address.' });

  const logo = (input.logoUrl ?? '').trim();
  const logoProblem = logo === '' ? null : httpsUrlProblem(logo);
  if (logoProblem) problems.push({ field: 'logoUrl', message: `The logo URL ${logoProblem}.` });

  if (problems.length > 0) throw new ClientInputError(problems);
  // Keep the configured order so the consent screen lists scopes the same way for every app.
  return { name, description, redirectUris, scopes: known.filter((s) => scopes.includes(s)), contactEmail, logoUrl: logo === '' ? null : logo };
}
