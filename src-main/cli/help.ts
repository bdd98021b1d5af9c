/** The CLI's help, rendered from the commands' own option declarations. */
import { globalOptions, type CommandSpec, type CommandVariant, type OptionSpecs } from './command.js';

const SUMMARY_COLUMN = 41;

const NOTES = `The passphrase comes from --passphrase-file (its first line) or a prompt on a
terminal; never from an argument or the environment. Values read from stdin
lose one trailing newline. Without --app/--env, only unscoped or
account-scoped secrets reveal.`;

function flag(name: string, options: OptionSpecs, value?: string): string {
  const spec = options[name]!;
  return spec.type === 'boolean' ? `--${name}` : `--${name} ${value ?? spec.value ?? 'VALUE'}`;
}

/** Required flags first, then the optional ones in brackets. */
function flags(required: string[], optional: string[], options: OptionSpecs, value: (name: string) => string | undefined = () => undefined): string {
  const repeat = (name: string) => (options[name]!.multiple ? '...' : '');
  return [...required.map((name) => flag(name, options, value(name)) + repeat(name)), ...optional.map((name) => `[${flag(name, options, value(name))}]${repeat(name)}`)].join(' ');
}

/** Options that belong to some form of the command rather than to all of them. */
function variantOptionNames(command: CommandSpec): Set<string> {
  return new Set((command.variants ?? []).flatMap((variant) => Object.keys(variant.options)));
}

function synopsis(command: CommandSpec): string {
  const inVariant = variantOptionNames(command);
  const base = Object.keys(command.options).filter((name) => !inVariant.has(name));
  const required = new Set<string>(command.required ?? []);
  const args = (command.args ?? []).map((arg, i, all) => (command.repeatsLastArg && i === all.length - 1 ? `${arg}...` : arg));
  return [command.words, ...args, ...(command.optionalArgs ?? []).map((arg) => `[${arg}]`), flags(base.filter((name) => required.has(name)), base.filter((name) => !required.has(name)), command.options)].filter(Boolean).join(' ');
}

function variantLine(command: CommandSpec, variant: CommandVariant): string {
  const names = Object.keys(variant.options);
  const required = [...names.filter((name) => variant.options[name]!.required), ...(variant.requires ?? [])];
  const optional = names.filter((name) => !variant.options[name]!.required);
  return flags(required, optional, command.options, (name) => variant.options[name]?.value);
}

function summaryLine(left: string, summary: string): string {
  return left.length < SUMMARY_COLUMN - 1 ? `${left.padEnd(SUMMARY_COLUMN)}${summary}` : `${left}\n${' '.repeat(SUMMARY_COLUMN)}${summary}`;
}

const usageLine = `Usage: strongroom ${flags([], ['data-dir', 'passphrase-file'], globalOptions)} <command> [options]
       strongroom <command> --help          the command's options`;

/** Every command, by group, with its synopsis and forms. */
export function usage(commands: readonly CommandSpec[]): string {
  const groups = [...new Set(commands.map((command) => command.group))];
  const sections = groups.map((group) => {
    const lines = commands
      .filter((command) => command.group === group)
      .flatMap((command) => [summaryLine(`  ${synopsis(command)}`, command.summary), ...(command.variants ?? []).map((variant) => `      ${variantLine(command, variant)}`)]);
    return `${group}:\n${lines.join('\n')}`;
  });
  return `${usageLine}\n\n${sections.join('\n\n')}\n\n${NOTES}`;
}

/** One command: its synopsis, its forms, and every option it takes. */
export function commandHelp(command: CommandSpec): string {
  const all = { ...command.options, ...globalOptions } as OptionSpecs;
  const optionLines = Object.keys(all).map((name) => summaryLine(`  ${flag(name, all)}`, all[name]!.help));
  const forms = (command.variants ?? []).map((variant) => `  ${command.words} ${variantLine(command, variant)}`);
  return [`Usage: strongroom ${synopsis(command)}`, `  ${command.summary}`, ...(forms.length ? ['', 'Forms:', ...forms] : []), '', 'Options:', ...optionLines, '', NOTES].join('\n');
}
