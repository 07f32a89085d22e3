/**
 * OAuth 2.0 protocol errors (RFC 6749 4.1.2.1 and 5.2), one class per `error` code. Steps and grants
 * read as guard clauses that throw these; the endpoint decides how to answer (JSON at the token and
 * revocation endpoints, a redirect or an error page at the authorization endpoint).
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly status: number,
    readonly description: string,
  ) {
    super(description);
    this.name = new.target.name;
  }

  /** RFC 6749 5.2 body. */
  toJSON(): { error: string; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string) {
    super('invalid_request', 400, description);
  }
}

/** Client authentication failed. `usedBasic` makes the token endpoint answer with a Basic challenge (RFC 6749 5.2). */
export class InvalidClient extends OAuthError {
  constructor(description: string, readonly usedBasic = false) {
    super('invalid_client', 401, description);
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description: string) {
    super('invalid_grant', 400, description);
  }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description: string) {
    super('unauthorized_client', 400, description);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description: string) {
    super('unsupported_grant_type', 400, description);
  }
}

export class UnsupportedResponseType extends OAuthError {
  constructor(description: string) {
    super('unsupported_response_type', 400, description);
  }
}

export class InvalidScope extends OAuthError {
  constructor(description: string) {
    super('invalid_scope', 400, description);
  }
}

export class AccessDenied extends OAuthError {
  constructor(description: string) {
    super('access_denied', 403, description);
  }
}

/** Not in RFC 6749: an API's policy refuses the company (BlueClerk: free-trial companies get no tokens). */
export class PlanRequired extends OAuthError {
  constructor(description: string) {
    super('plan_required', 403, description);
  }
}

/** Something broke on our side; the description never carries internals. */
export class ServerError extends OAuthError {
  constructor() {
    super('server_error', 500, 'The authorization server failed; retry later.');
  }
}
