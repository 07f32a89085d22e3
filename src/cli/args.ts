import { parseArgs } from 'node:util';
import { UsageError, type Command, type CommandInput, type OptionSpec } from './command.ts';

/**
 * The shared argument parser: node:util's parseArgs (strict) over the command's option specs, with its
 * errors rewritten into one line that names the option, and the help text generated from the same specs.
 */
const JSON_OPTION: OptionSpec = { type: 'boolean', description: 'Print the result as JSON (for scripts)' };
const HELP_OPTION: OptionSpec = { type: 'boolean', description: 'Show this help' };

function allOptions(command: Command): Record<string, OptionSpec> {
  return { ...command.options, ...(command.json ? { json: JSON_OPTION } : {}), help: HELP_OPTION };
}

export function wantsHelp(argv: string[]): boolean {
  // Before `--`, so `--name -- --help` still names a company "--help" rather than asking for help.
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

// parseArgs' messages span lines and quote its own syntax; keep the option's name and say it plainly.
function rewriteParseError(error: unknown): UsageError {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1] ?? '';
  const option = quoted.split(' ')[0] ?? quoted;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return new UsageError(`unknown option ${option}`);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') return new UsageError(`unexpected argument "${quoted}"`);
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    if (message.includes('does not take an argument')) return new UsageError(`${option} does not take a value`);
    if (message.includes('ambiguous')) return new UsageError(`${option} needs a value (to give one starting with "-", write ${option}=VALUE)`);
    return new UsageError(`${option} needs a value`);
  }
  return new UsageError(message.split('\n')[0]!);
}

export function parseCommandLine(command: Command, argv: string[]): CommandInput {
  const specs = allOptions(command);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, { type: spec.type, multiple: spec.multiple ?? false }])),
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw rewriteParseError(error);
  }

  const expected = command.args ?? [];
  const positionals = parsed.positionals;
  if (positionals.length < expected.length) throw new UsageError(`missing ${expected.slice(positionals.length).map((a) => a.name).join(' ')}`);
  if (positionals.length > expected.length) throw new UsageError(`unexpected argument "${positionals[expected.length]}"`);
  const args = new Map(expected.map((spec, i) => [spec.name, positionals[i]!]));

  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && (values[name] === undefined || (Array.isArray(values[name]) && values[name].length === 0))) {
      throw new UsageError(`missing --${name}${spec.value ? ` ${spec.value}` : ''}`);
    }
  }

  return {
    json: values.json === true,
    arg(name) {
      const value = args.get(name);
      if (value === undefined) throw new Error(`${command.name} declares no argument ${name}`);
      return value;
    },
    string(name) {
      const value = values[name];
      return typeof value === 'string' ? value : undefined;
    },
    strings(name) {
      const value = values[name];
      return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
    },
    flag(name) {
      return values[name] === true;
    },
  };
}

function optionLabel(name: string, spec: OptionSpec): string {
  return `--${name}${spec.value ? ` ${spec.value}` : ''}`;
}

export function usageLine(command: Command): string {
  if (command.usage) return `opsbase ${command.usage}`;
  const parts = [`opsbase ${command.name}`, ...(command.args ?? []).map((a) => a.name)];
  for (const [name, spec] of Object.entries(command.options ?? {})) {
    const label = optionLabel(name, spec) + (spec.multiple ? ' ...' : '');
    parts.push(spec.required ? label : `[${label}]`);
  }
  if (command.json) parts.push('[--json]');
  return parts.join(' ');
}

function columns(rows: [string, string][]): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`);
}

function notes(spec: OptionSpec): string {
  const words = [spec.required ? 'required' : '', spec.multiple ? 'repeatable' : ''].filter(Boolean);
  return words.length ? ` (${words.join(', ')})` : '';
}

export function commandHelp(command: Command): string {
  const lines = [`Usage: ${usageLine(command)}`, '', command.summary];
  if (command.details) lines.push('', command.details);
  if (command.args?.length) {
    lines.push('', 'Arguments:', ...columns(command.args.map((a) => [a.name, a.description])));
  }
  const options = Object.entries(allOptions(command)).map(([name, spec]): [string, string] => [
    optionLabel(name, spec),
    `${spec.description}${notes(spec)}`,
  ]);
  lines.push('', 'Options:', ...columns(options));
  return `${lines.join('\n')}\n`;
}

export function listHelp(title: string, commands: { name: string; summary: string }[], footer: string[]): string {
  return `${[title, '', 'Commands:', ...columns(commands.map((c) => [c.name, c.summary])), '', ...footer].join('\n')}\n`;
}
