/** `socksim profiles`: lists the stack profiles, one name first on each line. */
import { PROFILES } from '../../stack/profiles.js';
import { parse } from '../args.js';

export const PROFILES_HELP = `usage: socksim profiles

Lists the stack profiles: linux (the reference) and the deviations other systems' socket layers document. Use one
with socksim fuzz --profile NAME, or "profile" in a scenario-data file.`;

export async function profilesCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { help: { type: 'boolean', short: 'h' } }, false);
  if (values.help) {
    console.log(PROFILES_HELP);
    return 0;
  }
  for (const p of PROFILES) console.log(`${p.name.padEnd(28)} ${p.description}`);
  return 0;
}
