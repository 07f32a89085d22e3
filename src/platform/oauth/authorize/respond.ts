/**
 * The authorization response on the client's redirect URI (RFC 6749 4.1.2), with `iss` so the client can
 * tell which authorization server answered (RFC 9207, mix-up defence). The registered URI's own query is kept.
 */
export function authorizationResponseUrl(redirectUri: string, issuer: string, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value);
  url.searchParams.set('iss', issuer);
  return url.toString();
}
