import type { FastifyInstance } from 'fastify';

/**
 * Headers for every response, and the stricter set for HTML pages: no framing (clickjacking on consent
 * and sign-in forms), no inline script, no referrer leaking codes or tokens in URLs.
 */
export function registerSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      reply.header(
        'Content-Security-Policy',
        "default-src 'self'; img-src 'self' https: data:; style-src 'self' 'unsafe-inline'; script-src 'self'; form-action 'self' http: https:; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
      );
      reply.header('X-Frame-Options', 'DENY');
      reply.header('Referrer-Policy', 'no-referrer');
      reply.header('Cache-Control', 'no-store');
    }
    return payload;
  });
}
