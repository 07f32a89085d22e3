import type { FastifyInstance } from 'fastify';
import { callerOf } from '../auth.ts';
import { blueClerkError } from '../errors.ts';

/**
 * a request that explicitly names another company (a `companyId` in the query or the body that is
 * not the token's) answers 403 forbidden, before validation. Records of another company named by id
 * answer 404 instead, elsewhere: their existence is not revealed.
 */
export function registerCompanyGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const { companyId } = callerOf(request);
    for (const [where, source] of [['query', request.query], ['body', request.body]] as const) {
      const named = source && typeof source === 'object' && !Array.isArray(source) ? (source as Record<string, unknown>).companyId : undefined;
      if (named !== undefined && named !== companyId) {
        throw blueClerkError('forbidden', 'This token belongs to another company; it cannot reach that company’s data.', [
          { field: 'companyId', message: `is not the company of this token (${where})` },
        ]);
      }
    }
  });
}
