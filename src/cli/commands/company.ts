import { createCompany, listCompanies, parsePlan, setCompanyPlan, type Company } from '../../platform/tenancy/tenancy.ts';
import { PLANS } from '../../platform/tenancy/schema.ts';
import { parseLimitSetting, setCompanyLimits, type CompanyLimitSettings, type LimitSetting } from '../../platform/rate-limit/company-limits.ts';
import { UNLIMITED_STORED } from '../../platform/rate-limit/limits.ts';
import { CliError, UsageError, printJson, printLine, printTable, type Command, type CommandGroup } from '../command.ts';
import { withDatabase } from '../database.ts';

/** `opsbase company ...`: tenants and their plans and rate limits. */
const PLAN_LIST = PLANS.join(', ');

/** A stored custom limit in the words `set-limits` takes: a number, "unlimited", or "default" (the plan's figure). */
function limitSetting(stored: number | null): LimitSetting {
  if (stored === null) return 'default';
  return stored === UNLIMITED_STORED ? 'unlimited' : stored;
}

function limitsJson(row: { limitPerMinute: number | null; limitPerDay: number | null; limitPerMonth: number | null }) {
  return { per_minute: limitSetting(row.limitPerMinute), per_day: limitSetting(row.limitPerDay), per_month: limitSetting(row.limitPerMonth) };
}

function companyJson(company: Company) {
  return { id: company.id, name: company.name, plan: company.plan, limits: limitsJson(company), created_at: company.createdAt.toISOString() };
}

function printCompany(company: Company): void {
  printLine(`${company.id}  ${company.name}  (plan ${company.plan})`);
}

const create: Command = {
  name: 'company create',
  summary: 'Create a company',
  json: true,
  options: {
    name: { type: 'string', value: 'NAME', description: 'The company\'s name', required: true },
    plan: { type: 'string', value: 'PLAN', description: `Its plan: ${PLAN_LIST}`, required: true },
  },
  async run(input) {
    // Checked before the database opens, so a typo fails at once (createCompany checks it again).
    parsePlan(input.string('plan')!);
    const company = await withDatabase(({ db }) => createCompany(db.orm, { name: input.string('name')!, plan: input.string('plan')! }));
    if (input.json) return printJson(companyJson(company));
    printLine('Created company:');
    printCompany(company);
  },
};

const setPlan: Command = {
  name: 'company set-plan',
  summary: 'Change a company\'s plan',
  json: true,
  args: [
    { name: 'ID', description: 'The company\'s id (see opsbase company list)' },
    { name: 'PLAN', description: `The new plan: ${PLAN_LIST}` },
  ],
  fieldNames: { plan: 'PLAN' },
  async run(input) {
    const id = input.arg('ID');
    parsePlan(input.arg('PLAN'));
    const company = await withDatabase(({ db }) => setCompanyPlan(db.orm, id, input.arg('PLAN')));
    if (!company) throw new CliError(`ID: no company with id ${id}`);
    if (input.json) return printJson(companyJson(company));
    printLine('Changed the plan:');
    printCompany(company);
  },
};

const list: Command = {
  name: 'company list',
  summary: 'List companies',
  json: true,
  async run(input) {
    const companies = await withDatabase(({ db }) => listCompanies(db.orm));
    if (input.json) return printJson(companies.map(companyJson));
    if (companies.length === 0) return printLine('No companies yet. Create one with: opsbase company create --name NAME --plan PLAN');
    printTable(
      ['ID', 'PLAN', 'LIMITS (min/day/month)', 'NAME'],
      companies.map((c) => {
        const limits = limitsJson(c);
        return [c.id, c.plan, `${limits.per_minute}/${limits.per_day}/${limits.per_month}`, c.name];
      }),
    );
  },
};

const LIMIT_OPTIONS = { 'per-minute': 'perMinute', 'per-day': 'perDay', 'per-month': 'perMonth' } as const;

const setLimits: Command = {
  name: 'company set-limits',
  summary: 'Set a company\'s custom API rate limits (contracts above the plan)',
  usage: 'company set-limits ID [--per-minute N|unlimited|default] [--per-day N|unlimited|default] [--per-month N|unlimited|default] [--json]',
  details: [
    'Each window takes a whole number of requests (1000, 1_000 or 1,000), "unlimited", or "default" (back',
    'to the plan\'s figure). A window not given keeps its current setting. A running server picks the',
    'change up within 30 seconds.',
  ].join('\n'),
  json: true,
  args: [{ name: 'ID', description: 'The company\'s id (see opsbase company list)' }],
  options: {
    'per-minute': { type: 'string', value: 'LIMIT', description: 'Requests per minute' },
    'per-day': { type: 'string', value: 'LIMIT', description: 'Requests per day (UTC)' },
    'per-month': { type: 'string', value: 'LIMIT', description: 'Requests per calendar month (UTC)' },
  },
  async run(input) {
    const id = input.arg('ID');
    const settings: CompanyLimitSettings = {};
    for (const [option, field] of Object.entries(LIMIT_OPTIONS)) {
      const raw = input.string(option);
      if (raw !== undefined) settings[field] = parseLimitSetting(field, raw);
    }
    if (Object.keys(settings).length === 0) throw new UsageError('give at least one of --per-minute, --per-day, --per-month');
    const stored = await withDatabase(({ db }) => setCompanyLimits(db.orm, id, settings));
    if (!stored) throw new CliError(`ID: no company with id ${id}`);
    const limits = limitsJson(stored);
    if (input.json) return printJson({ id: stored.companyId, limits });
    printLine(`Limits of ${stored.companyId}: ${limits.per_minute} per minute, ${limits.per_day} per day, ${limits.per_month} per month`);
  },
};

export const company: CommandGroup = {
  name: 'company',
  summary: 'Companies (tenants): create, list, change plan and rate limits',
  commands: [create, list, setPlan, setLimits],
};
