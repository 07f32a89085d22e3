// Baseline (i): the floor cost of HTTP plus the database on Opsbase's stack. A bare fastify with a `pg`
// pool answering the scenarios' paths with the very SQL text Opsbase's records layer sends (copied from
// drizzle's toSQL()), with no authentication, rate limiting, validation or idempotency. The company is
// fixed by the environment instead of coming from a token. Started by bench/run.ts as a child process.
import crypto from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const env = process.env;
const pool = new pg.Pool({ ...(JSON.parse(env.BASELINE_PG ?? '{}') as pg.PoolConfig), max: Number(env.BASELINE_POOL_SIZE ?? 20) });
pool.on('error', () => {});
const readCompany = env.BASELINE_READ_COMPANY ?? '';
const writeCompany = env.BASELINE_WRITE_COMPANY ?? '';
// Scenario d's statements are the Clevertim record store's own, recorded by the bench (bench/clevertim.ts);
// `$ID` stands for the requested contact's id.
const contactQueries = JSON.parse(env.BASELINE_CONTACT_QUERIES ?? '[]') as { sql: string; params: unknown[] }[];

const JOB_COLUMNS = `"id", "company_id", "created_at", "updated_at", "title", "status", "property_id", "ticket_id", "scheduled_at", "completed_at"`;
const GET_JOB = `select ${JOB_COLUMNS} from "bc_jobs" where ("bc_jobs"."company_id" = $1 and "bc_jobs"."id" = $2)`;
const FIRST_PAGE = `select ${JOB_COLUMNS} from "bc_jobs" where ("bc_jobs"."company_id" = $1 and true) order by "bc_jobs"."created_at" desc, "bc_jobs"."id" desc limit $2`;
const NEXT_PAGE = `select ${JOB_COLUMNS} from "bc_jobs" where ("bc_jobs"."company_id" = $1 and ("bc_jobs"."created_at", "bc_jobs"."id") < ($2::timestamptz, $3)) order by "bc_jobs"."created_at" desc, "bc_jobs"."id" desc limit $4`;
const INSERT_TICKET = `insert into "bc_tickets" ("id", "company_id", "created_at", "updated_at", "title", "status", "description", "source", "business_name", "contact_name", "email", "phone", "address", "contact_id", "property_id", "job_id") values ($1, $2, default, default, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, default) returning "id", "status"`;

interface JobRow {
  id: string;
  created_at: Date;
  updated_at: Date;
  title: string;
  status: string;
  property_id: string | null;
  ticket_id: string | null;
  scheduled_at: Date | null;
  completed_at: Date | null;
}

const job = (row: JobRow) => ({
  id: row.id,
  title: row.title,
  status: row.status,
  propertyId: row.property_id,
  ticketId: row.ticket_id,
  scheduledAt: row.scheduled_at?.toISOString() ?? null,
  completedAt: row.completed_at?.toISOString() ?? null,
  createdAt: row.created_at.toISOString(),
  updatedAt: row.updated_at.toISOString(),
});

const app = Fastify({ logger: false });

app.get('/healthz', async () => ({ status: 'ok' }));

app.get('/blueclerk/api/v1/jobs/:id', async (request, reply) => {
  const { id } = request.params as { id: string };
  const { rows } = await pool.query<JobRow>(GET_JOB, [readCompany, id]);
  if (!rows[0]) return reply.code(404).send({ error: 'not_found' });
  return job(rows[0]);
});

app.get('/blueclerk/api/v1/jobs', async (request) => {
  const query = request.query as { limit?: string; cursor?: string };
  const limit = Math.min(Math.max(Number(query.limit ?? 25) || 25, 1), 100);
  let rows: JobRow[];
  if (query.cursor) {
    const [, at, id] = JSON.parse(Buffer.from(query.cursor, 'base64url').toString('utf8')) as [string, string, string];
    ({ rows } = await pool.query<JobRow>(NEXT_PAGE, [readCompany, new Date(at), id, limit + 1]));
  } else {
    ({ rows } = await pool.query<JobRow>(FIRST_PAGE, [readCompany, limit + 1]));
  }
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page[page.length - 1];
  const nextCursor = hasMore && last ? Buffer.from(JSON.stringify(['b', last.created_at.toISOString(), last.id])).toString('base64url') : null;
  return { data: page.map(job), nextCursor, hasMore };
});

// The plain insert scenario c is compared with: one row, no event, no idempotency record.
app.post('/blueclerk/api/v1/leads', async (request, reply) => {
  const lead = request.body as Record<string, string | undefined>;
  const title = [lead.businessName, lead.contactName].filter(Boolean).join(' ') || 'Lead';
  const { rows } = await pool.query<{ id: string; status: string }>(INSERT_TICKET, [
    `c${crypto.randomBytes(12).toString('hex')}`,
    writeCompany,
    title,
    'OPEN',
    lead.notes ?? null,
    lead.source ?? 'api',
    lead.businessName ?? null,
    lead.contactName ?? null,
    lead.email ?? null,
    lead.phone ?? null,
    lead.address ?? null,
    null,
    null,
  ]);
  return reply.code(201).send({ ticketId: rows[0]!.id, status: rows[0]!.status });
});

app.get('/clevertim/api/contact/:id', async (request, reply) => {
  if (contactQueries.length === 0) return reply.code(404).send({ status: 'ERROR', error: 'Clevertim is not mounted' });
  const id = Number((request.params as { id: string }).id);
  let first: unknown[] = [];
  for (const query of contactQueries) {
    const { rows } = await pool.query(query.sql, query.params.map((p) => (p === '$ID' ? id : p)));
    if (first.length === 0) first = rows;
  }
  if (!first[0]) return reply.code(404).send({ status: 'ERROR', error: 'Not found' });
  return { status: 'OK', content: [first[0]] };
});

await app.listen({ port: Number(env.PORT), host: '127.0.0.1' });
const stop = () => void app.close().then(() => pool.end()).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
