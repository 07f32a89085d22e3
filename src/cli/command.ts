/**
 * What a CLI command is: its name, the options it takes (which also make its --help), and what it does.
 * Every command group in `commands/` is a list of these; `main.ts` finds one and runs it.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  /** Placeholder in the help's usage line: `--plan PLAN`. */
  value?: string;
  description: string;
  required?: boolean;
  /** May be given several times (`--redirect-uri A --redirect-uri B`). */
  multiple?: boolean;
}

export interface ArgumentSpec {
  /** As shown in help and in messages: `ID`, `PLAN`. Every argument is required. */
  name: string;
  description: string;
}

export interface Command {
  /** The words that select it: `company create`. */
  name: string;
  summary: string;
  args?: ArgumentSpec[];
  options?: Record<string, OptionSpec>;
  /** Takes `--json` (every command that prints data). */
  json?: boolean;
  /** Replaces the generated usage line when options depend on each other. */
  usage?: string;
  /** A paragraph printed under the summary in --help. */
  details?: string;
  /**
   * Where a domain error's field is given on the command line, when it is not simply `--<field in kebab case>`
   * (e.g. `ownerEmail` is `--owner`, the plan of `set-plan ID PLAN` is the argument `PLAN`).
   */
  fieldNames?: Record<string, string>;
  run(input: CommandInput): Promise<void>;
}

export interface CommandGroup {
  name: string;
  summary: string;
  commands: Command[];
}

/** A command's parsed command line. */
export interface CommandInput {
  /** Positional arguments by name (`ID`, `PLAN`). */
  arg(name: string): string;
  /** A string option's value, or undefined when it was not given. */
  string(name: string): string | undefined;
  /** Every value of a repeatable option (empty when not given). */
  strings(name: string): string[];
  flag(name: string): boolean;
  readonly json: boolean;
}

/** Bad input found by a command: printed as one line on stderr, exit 1. Never carries a stack trace to the user. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** The command line itself is wrong (unknown option, missing argument): exit 2, with a pointer to --help. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** An error about one option: the message starts with the option, so the user sees what to fix. */
export function optionError(option: string, message: string): CliError {
  return new CliError(`${option}: ${message}`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** A plain aligned table for people; scripts use --json. */
export function printTable(headers: string[], rows: string[][]): void {
  if (rows.length === 0) return;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  process.stdout.write(`${[line(headers), ...rows.map(line)].join('\n')}\n`);
}

export function printLine(text = ''): void {
  process.stdout.write(`${text}\n`);
}

/** A note beside the output (stderr, so `--json` output on stdout stays parseable). */
export function printNote(text: string): void {
  process.stderr.write(`${text}\n`);
}
