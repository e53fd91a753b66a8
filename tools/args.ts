/**
 * Command-line parsing shared by the commands: node's util.parseArgs in strict mode, with its errors turned into
 * one-line usage errors (never a stack trace).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake in how a command was called: printed as one line, exit status 2. */
export class UsageError extends Error {}

/** What `parse` returns for a given option table (node's parseArgs result type, named for declaration output). */
export type Parsed<T extends NonNullable<ParseArgsConfig['options']>> =
  ReturnType<typeof parseArgs<{ args: string[]; options: T; allowPositionals: boolean; strict: true }>>;

/** Parses argv for a command; unknown options and missing values become UsageErrors. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T, allowPositionals = true): Parsed<T> {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
}

/** Parses a number option with a clear error. */
export function numberOpt(v: string | undefined, name: string, check?: (n: number) => boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || (check && !check(n))) throw new UsageError(`--${name}: "${v}" is not a valid value`);
  return n;
}

/** A seed from the command line: an integer if it looks like one, else the string itself. */
export function seedOpt(v: string | undefined): string | number {
  if (v === undefined) return 1;
  return /^-?\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? Number(v) : v;
}
