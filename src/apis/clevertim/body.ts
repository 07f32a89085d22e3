import type { FastifyInstance } from 'fastify';
import { clevertimError } from './errors.ts';

/**
 * How the API reads request bodies. Every body is JSON, whatever its Content-Type says: the seed's own
 * DELETE example sends `-d '{...}'` without one (curl then says form-urlencoded). An empty body is no
 * body (R-6: the Python client sends `Content-Type: application/json` on bodiless GET and DELETE), and
 * a body that is not JSON answers 500, as the seed documents ("your JSON cannot be parsed").
 *
 * Validation is the records layer's (records/store.ts), so a field's message is the same whether it came
 * over HTTP or from the demo seed; the route schemas document the bodies and shape the responses.
 */
export function registerJsonBodies(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(clevertimError('invalid_json'), undefined);
    }
  });
  app.setValidatorCompiler(() => () => true);
}
