import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../platform/context.ts';
import { formFields, formText } from '../../../platform/console/pages/views.ts';
import { ListQueryError, parseListQuery } from '../../../platform/pagination/keyset.ts';
import { listContacts, listJobs, listProperties, listTickets, recordErrorFromDatabase, RecordInputError, RecordStateError } from '../records/index.ts';
import { runChange } from '../operator/changes.ts';
import { fieldsFor, inputFromForm, recordValues, typedValues, type ChoiceKind, type FieldSpec, type FormValues } from './forms.ts';
import { accessOf, companyBase, contractorPage, notFoundPage, writeGuards, readGuards } from './pages.ts';
import type { Lookups, RecordSection, Row } from './sections.ts';

/**
 * The handlers behind every record page, written once for the declarations in sections.ts:
 *   GET  <base>/<resource>                 the list, with the "new" form
 *   GET  <base>/<resource>/:id             the list, with that record's edit form
 *   POST <base>/<resource>                 create        → back to the list (303), or the form again with the reason
 *   POST <base>/<resource>/:id             save changes  → likewise
 *   POST <base>/<resource>/:id/<action>    a row button (status change, send, approve, mark paid, ...)
 * Every post runs the operator API's change for it through runChange: same record function, same
 * transaction with its domain event, same refusals.
 */

/** How many of the company's records a select offers (newest first). */
const CHOICES_SHOWN = 100;

const CHOICE_SOURCES: Record<ChoiceKind, (ctx: AppContext, companyId: string) => Promise<[string, string][]>> = {
  property: async (ctx, companyId) => (await listProperties(ctx.db.orm, companyId, parseListQuery({ limit: CHOICES_SHOWN }))).data.map((p) => [p.id, p.address]),
  contact: async (ctx, companyId) =>
    (await listContacts(ctx.db.orm, companyId, parseListQuery({ limit: CHOICES_SHOWN }))).data.map((c) => [c.id, c.businessName ? `${c.name} (${c.businessName})` : c.name]),
  job: async (ctx, companyId) => (await listJobs(ctx.db.orm, companyId, parseListQuery({ limit: CHOICES_SHOWN }))).data.map((j) => [j.id, j.title]),
  ticket: async (ctx, companyId) => (await listTickets(ctx.db.orm, companyId, parseListQuery({ limit: CHOICES_SHOWN }))).data.map((t) => [t.id, t.title]),
};

async function lookupsFor(ctx: AppContext, companyId: string, kinds: ChoiceKind[]): Promise<Lookups> {
  const lookups: Lookups = { property: new Map(), contact: new Map(), job: new Map(), ticket: new Map() };
  for (const kind of new Set(kinds)) lookups[kind] = new Map(await CHOICE_SOURCES[kind](ctx, companyId));
  return lookups;
}

/**
 * A refusal the person can act on, and the status to answer with. The records layer's message names
 * the input field (`totalAmount must match pattern ...`), which is right for the API; on a page the
 * field's label is named instead, in words.
 */
function problemOf(error: unknown, section: RecordSection, input: Record<string, unknown>): { status: number; message: string } | null {
  if (error instanceof RecordStateError) return { status: 409, message: error.message };
  const inputError = error instanceof RecordInputError ? error : recordErrorFromDatabase(error);
  if (!inputError) return null;
  const spec = section.fields.find((f) => f.name === inputError.field);
  if (!spec) return { status: 400, message: inputError.message };
  const value = input[spec.name];
  const blank = value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
  const detail = inputError.message.startsWith(spec.name) ? inputError.message.slice(spec.name.length).replace(/^:?\s*/, '') : inputError.message;
  const message = blank ? 'enter a value.' : /must match pattern|must be equal to one of|must match format/.test(detail) ? `“${String(value)}” is not a valid value.` : detail;
  return { status: 400, message: `${spec.label}: ${message}` };
}

interface SectionView {
  editing?: Row | null;
  values?: FormValues;
  problem?: string | null;
  status?: number;
}

function optionsFor(spec: FieldSpec, value: string, lookups: Lookups) {
  if (!spec.options) return null;
  const entries: [string, string][] = typeof spec.options === 'string' ? [...lookups[spec.options].entries()] : spec.options.map((o) => [o, o]);
  // A linked record older than the newest CHOICES_SHOWN is still offered, so saving keeps the link.
  if (value !== '' && !entries.some(([id]) => id === value)) entries.push([value, value]);
  const options = entries.map(([id, label]) => ({ value: id, label, selected: id === value }));
  return spec.required ? options : [{ value: '', label: '—', selected: value === '' }, ...options];
}

async function renderSection(ctx: AppContext, request: FastifyRequest, reply: FastifyReply, section: RecordSection, view: SectionView = {}): Promise<FastifyReply> {
  const access = accessOf(request);
  const companyId = access.company.id;
  const base = companyBase(companyId);
  const { path, singular } = section.resource;
  const cursor = (request.query as Record<string, unknown> | undefined)?.cursor;
  let listQuery;
  try {
    listQuery = parseListQuery({ cursor: request.method === 'GET' ? cursor : undefined });
  } catch (error) {
    if (error instanceof ListQueryError) return notFoundPage(reply, request, 'That page of the list does not exist any more. Start again from the first page.', 400);
    throw error;
  }
  const selectKinds = section.fields.flatMap((f) => (typeof f.options === 'string' ? [f.options] : []));
  const lookups = await lookupsFor(ctx, companyId, [...section.lookups, ...selectKinds]);
  const page = await section.resource.list(ctx.db.orm, companyId, listQuery);
  const editing = view.editing ?? null;
  const mode = editing ? 'update' : 'create';
  const specs = fieldsFor(section.fields, mode);
  const values = view.values ?? (editing ? recordValues(specs, editing) : {});

  return contractorPage(reply, request, 'records', `${section.title} · ${access.company.name}`, section.resource.path, {
    heading: section.title,
    problem: view.problem ?? null,
    canWrite: access.canWrite,
    form: {
      heading: editing ? `Edit ${singular} ${section.nameOf(editing)}` : `New ${singular}`,
      action: editing ? `${base}/${path}/${encodeURIComponent(editing.id)}` : `${base}/${path}`,
      submitLabel: editing ? 'Save changes' : `Create ${singular}`,
      cancelHref: editing ? `${base}/${path}` : null,
      fields: specs.map((spec) => {
        const value = values[spec.name] ?? '';
        return { ...spec, id: `field-${spec.name}`, value, options: optionsFor(spec, value, lookups) };
      }),
    },
    table: {
      columns: section.columns.map((c) => c.label),
      empty: `No ${path} yet.`,
      rows: (page.data as Row[]).map((row) => ({
        id: row.id,
        name: section.nameOf(row),
        cells: section.columns.map((c) => ({ text: c.value(row, lookups) ?? '', style: c.style ?? null })),
        editHref: `${base}/${path}/${encodeURIComponent(row.id)}`,
        actions: section.actions.map((a) => ({
          url: `${base}/${path}/${encodeURIComponent(row.id)}/${a.action.path}`,
          label: a.label,
          select: a.select
            ? { name: a.select.name, label: `${a.select.label} for ${section.nameOf(row)}`, options: a.select.options.map((o) => ({ value: o, selected: row[a.select!.name] === o })) }
            : null,
        })),
      })),
    },
    olderHref: page.nextCursor ? `${base}/${path}?cursor=${encodeURIComponent(page.nextCursor)}` : null,
  }, view.status);
}

export function registerRecordPages(app: FastifyInstance, ctx: AppContext, section: RecordSection): void {
  const { path } = section.resource;
  const listUrl = (request: FastifyRequest) => `${companyBase(accessOf(request).company.id)}/${path}`;
  const idOf = (request: FastifyRequest) => (request.params as { id: string }).id;
  const findRow = async (request: FastifyRequest) => (await section.resource.get(ctx.db.orm, accessOf(request).company.id, idOf(request))) as Row | null;
  const gone = (request: FastifyRequest, reply: FastifyReply) => notFoundPage(reply, request, `There is no such ${section.resource.singular} in ${accessOf(request).company.name}.`);

  /** Runs a change; on a refusal shows the page again with the reason (and what was typed). */
  async function change(request: FastifyRequest, reply: FastifyReply, input: Record<string, unknown>, work: Parameters<typeof runChange>[1], onRefusal: SectionView): Promise<FastifyReply> {
    try {
      const result = await runChange(ctx.db, work);
      if (result === null) return gone(request, reply);
    } catch (error) {
      const problem = problemOf(error, section, input);
      if (!problem) throw error;
      return renderSection(ctx, request, reply, section, { ...onRefusal, problem: problem.message, status: problem.status });
    }
    return reply.redirect(listUrl(request), 303);
  }

  app.get(`/${path}`, { preHandler: readGuards(ctx) }, (request, reply) => renderSection(ctx, request, reply, section));

  app.get(`/${path}/:id`, { preHandler: readGuards(ctx) }, async (request, reply) => {
    const row = await findRow(request);
    return row ? renderSection(ctx, request, reply, section, { editing: row }) : gone(request, reply);
  });

  app.post(`/${path}`, { preHandler: writeGuards(ctx, app) }, async (request, reply) => {
    const form = formFields(request.body);
    const input = inputFromForm(section.fields, form, 'create');
    return change(request, reply, input, (tx) => section.resource.create.change(tx, accessOf(request).company.id, input as never), {
      values: typedValues(section.fields, form),
    });
  });

  app.post(`/${path}/:id`, { preHandler: writeGuards(ctx, app) }, async (request, reply) => {
    const row = await findRow(request);
    if (!row) return gone(request, reply);
    const form = formFields(request.body);
    const input = inputFromForm(section.fields, form, 'update');
    return change(request, reply, input, (tx) => section.resource.update.change(tx, accessOf(request).company.id, row.id, input as never), {
      editing: row,
      values: typedValues(fieldsFor(section.fields, 'update'), form),
    });
  });

  for (const rowAction of section.actions) {
    app.post(`/${path}/:id/${rowAction.action.path}`, { preHandler: writeGuards(ctx, app) }, async (request, reply) => {
      const form = formFields(request.body);
      const input = rowAction.select ? { [rowAction.select.name]: formText(form[rowAction.select.name]) } : {};
      return change(request, reply, input, (tx) => rowAction.action.change(tx, accessOf(request).company.id, idOf(request), input as never), {});
    });
  }
}
