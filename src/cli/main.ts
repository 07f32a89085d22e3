import fs from 'node:fs';
import { ConfigError } from '../platform/config/config.ts';
import { ClientInputError } from '../platform/oauth/client-input.ts';
import { LimitInputError } from '../platform/rate-limit/company-limits.ts';
import { TenancyInputError } from '../platform/tenancy/tenancy.ts';
import { commandHelp, listHelp, parseCommandLine, wantsHelp } from './args.ts';
import { CliError, UsageError, type Command, type CommandGroup } from './command.ts';
import { app } from './commands/app.ts';
import { company } from './commands/company.ts';
import { demo } from './commands/demo.ts';
import { group } from './commands/group.ts';
import { migrate } from './commands/migrate.ts';
import { start } from './commands/start.ts';
import { token } from './commands/token.ts';
import { user } from './commands/user.ts';

/**
 * The `opsbase` command: finds the command named by the first words of the command line, parses the
 * rest with that command's options, runs it, and turns every failure into one line on stderr and a
 * non-zero exit (2: the command line is wrong; 1: the input or the database said no).
 */
const entries: (Command | CommandGroup)[] = [start, migrate, demo, company, user, group, app, token];

const isGroup = (entry: Command | CommandGroup): entry is CommandGroup => 'commands' in entry;

const TOP_HELP_FOOTER = [
  'Run opsbase <command> --help for its options. Commands that print data take --json.',
  'Configuration comes from the environment (DATA_DIR, DATABASE_URL, ...; see the README). On the embedded',
  'database the commands work whether the server runs (through its database socket) or not.',
];

function topHelp(): string {
  const lines = entries.flatMap((e) => (isGroup(e) ? e.commands : [e]));
  return listHelp('Usage: opsbase <command> [options]', lines, TOP_HELP_FOOTER);
}

function groupHelp(group: CommandGroup): string {
  return listHelp(`Usage: opsbase ${group.name} <command> [options]\n\n${group.summary}`, group.commands, [`Run opsbase ${group.name} <command> --help for its options.`]);
}

const version = () => (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

type Resolved = { command: Command; rest: string[] } | { help: string; rest: string[] };

/** Finds the command the words name; bare `opsbase` or a bare group prints nothing and says what to give. */
function resolve(argv: string[]): Resolved {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError('give a command; see opsbase --help');
  if (first === '--help' || first === '-h' || first === 'help') return rest.length > 0 ? asHelp(resolve([...rest, '--help'])) : { help: topHelp(), rest: [] };
  if (first === '--version') return { help: `${version()}\n`, rest: [] };
  const entry = entries.find((e) => e.name === first);
  if (!entry) throw new UsageError(`unknown command "${first}"; use one of ${entries.map((e) => e.name).join(', ')} (see opsbase --help)`);
  if (!isGroup(entry)) return { command: entry, rest };
  const [second, ...after] = rest;
  if (second === undefined || second === '--help' || second === '-h') {
    if (second === undefined) throw new UsageError(`"${entry.name}" needs a command: ${entry.commands.map((c) => c.name.split(' ')[1]).join(', ')} (see opsbase ${entry.name} --help)`);
    return { help: groupHelp(entry), rest: [] };
  }
  const command = entry.commands.find((c) => c.name === `${entry.name} ${second}`);
  if (!command) throw new UsageError(`unknown command "${entry.name} ${second}"; use one of ${entry.commands.map((c) => c.name.split(' ')[1]).join(', ')}`);
  return { command, rest: after };
}

function asHelp(resolved: Resolved): Resolved {
  return 'command' in resolved ? { help: commandHelp(resolved.command), rest: [] } : resolved;
}

const kebab = (field: string) => `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The one line a person reads when the command fails. Domain errors name their field; say it as typed. */
function failureMessage(error: unknown, command: Command | undefined): { message: string; exitCode: number } {
  const option = (field: string) => command?.fieldNames?.[field] ?? kebab(field);
  if (error instanceof UsageError && command) return { message: `${error.message} (see opsbase ${command.name} --help)`, exitCode: 2 };
  if (error instanceof CliError) return { message: error.message, exitCode: error.exitCode };
  if (error instanceof TenancyInputError) return { message: `${option(error.field)}: ${error.message}`, exitCode: 1 };
  // Its messages name the windows as fields (perMinute); here they are options (--per-minute).
  if (error instanceof LimitInputError) return { message: error.message.replace(/\bper(Minute|Day|Month)\b/g, (field) => option(field)), exitCode: 1 };
  if (error instanceof ClientInputError) return { message: error.problems.map((p) => `${option(p.field)}: ${p.message}`).join('; '), exitCode: 1 };
  if (error instanceof ConfigError) return { message: error.message, exitCode: 1 };
  const text = error instanceof Error ? error.message : String(error);
  return { message: text.split('\n')[0]!, exitCode: 1 };
}

async function main(argv: string[]): Promise<number> {
  let command: Command | undefined;
  try {
    const resolved = resolve(argv);
    if ('help' in resolved) {
      process.stdout.write(resolved.help);
      return 0;
    }
    command = resolved.command;
    if (wantsHelp(resolved.rest)) {
      process.stdout.write(commandHelp(command));
      return 0;
    }
    await command.run(parseCommandLine(command, resolved.rest));
    return 0;
  } catch (error) {
    const { message, exitCode } = failureMessage(error, command);
    process.stderr.write(`opsbase${command ? ` ${command.name}` : ''}: ${message}\n`);
    // The stack is for whoever debugs Opsbase, not for the person typing the command.
    if (['debug', 'trace'].includes((process.env.LOG_LEVEL ?? '').toLowerCase()) && error instanceof Error) process.stderr.write(`${error.stack}\n`);
    return exitCode;
  }
}

// Exit explicitly: the database is closed by now, and nothing else the command opened should keep the process alive.
process.exit(await main(process.argv.slice(2)));
