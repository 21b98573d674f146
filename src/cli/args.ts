// Option parsing shared by the commands: node:util parseArgs plus `--help`, with the exit codes
// every command uses (0 after printing the usage, 2 with the message and the usage on bad input).
import { parseArgs, type ParseArgsConfig } from 'node:util';

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

type Values<O extends OptionsConfig> = ReturnType<typeof parseArgs<{ args: string[]; options: O & typeof HELP; allowPositionals: false }>>['values'];

/** The parsed options, or the exit code when the command is done (help printed, bad usage). */
export function parseCommandArgs<O extends OptionsConfig>(
  command: string,
  usage: string,
  argv: string[],
  options: O,
): { readonly values: Values<O> } | { readonly exit: 0 | 2 } {
  let values: Values<O>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, ...HELP }, allowPositionals: false }) as { values: Values<O> });
  } catch (err) {
    process.stderr.write(`parley ${command}: ${err instanceof Error ? err.message : String(err)}\n${usage}`);
    return { exit: 2 };
  }
  if ((values as { help?: boolean }).help) {
    process.stdout.write(usage);
    return { exit: 0 };
  }
  return { values };
}
