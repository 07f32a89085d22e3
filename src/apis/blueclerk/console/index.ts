import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { consolePageErrors, renderErrorPage } from '../../../platform/console/pages/views.ts';
import { currentSession } from '../../../platform/console/sessions.ts';
import { accessOf, contractorPage, readGuards, SECTIONS } from './pages.ts';
import { registerRecordPages } from './record-pages.ts';
import { RECORD_SECTIONS } from './sections.ts';
import { registerUsagePage } from './usage.ts';

const DESCRIPTIONS: Record<string, string> = {
  properties: 'The places you work at, with their owners.',
  contacts: 'Homeowners and builders.',
  tickets: 'Requests for work, including the leads partners push.',
  jobs: 'The work itself; move each job along as it happens.',
  estimates: 'Priced offers: send them, record the customer’s answer.',
  invoices: 'What customers owe; mark them paid.',
  usage: 'Requests partner apps made to the BlueClerk API, per day, against your plan’s limits.',
};

/**
 * The contractor's BlueClerk pages under `/blueclerk/console/companies/:companyId` (server-rendered,
 * plain forms with the console's CSRF token, no scripts): an overview, one page per record kind and
 * the API usage page. Errors are pages, never the API's JSON.
 */
export async function registerContractorConsole(app: FastifyInstance, ctx: AppContext): Promise<void> {
  consolePageErrors(app, ctx);
  app.setNotFoundHandler(async (request, reply) => renderErrorPage(reply, 404, 'Not found', 'There is nothing here.', (await currentSession(ctx, request).catch(() => null)) !== null));

  await app.register(
    async (company) => {
      company.get('/', { preHandler: readGuards(ctx) }, async (request, reply) => {
        const access = accessOf(request);
        const sections = SECTIONS.filter((s) => s.path !== '').map((s) => ({ label: s.label, path: s.path, description: DESCRIPTIONS[s.path] ?? '' }));
        return contractorPage(reply, request, 'overview', `BlueClerk · ${access.company.name}`, '', { sections });
      });
      for (const section of RECORD_SECTIONS) registerRecordPages(company, ctx, section);
      registerUsagePage(company, ctx);
    },
    { prefix: '/companies/:companyId' },
  );
}
