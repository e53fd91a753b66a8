/** `socksim pcap FILE -o OUT.pcap`: exports the frames of a recording as a capture file. */
import { readFileSync, writeFileSync } from 'node:fs';
import { RecordingError, RecordingReader } from '../../sim/recording-reader.js';
import { captureEvents } from '../../stack/capture.js';
import { PcapWriter } from '../../stack/wire/pcap.js';
import { parse, UsageError } from '../args.js';

export const PCAP_HELP = `usage: socksim pcap RECORDING -o OUT.pcap [--link NAME]... [--no-loopback]

Writes every frame the recording saw on a link to a pcap file (nanosecond timestamps in virtual time, Ethernet
link type) that Wireshark and tshark open.

options:
  -o, --output FILE  the capture to write (required)
  --link NAME        keep only frames of this link (repeatable; names as in the recording, e.g. a:eth0-b:eth0)
  --no-loopback      leave out traffic on lo`;

export async function pcapCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parse(argv, {
    output: { type: 'string', short: 'o' }, link: { type: 'string', multiple: true },
    'no-loopback': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    console.log(PCAP_HELP);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('pcap takes exactly one recording file');
  if (!values.output) throw new UsageError('pcap needs -o OUT.pcap');
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(positionals[0]!);
  } catch {
    throw new UsageError(`cannot read ${positionals[0]}`);
  }
  const w = new PcapWriter();
  let n: number;
  let reader: RecordingReader;
  try {
    reader = new RecordingReader(bytes);
    n = captureEvents(reader.events(), w, { links: values.link, noLoopback: values['no-loopback'] });
  } catch (e) {
    if (e instanceof RecordingError) {
      console.error(`socksim pcap: ${positionals[0]}: ${e.message}`);
      return 2;
    }
    throw e;
  }
  writeFileSync(values.output, w.toBytes());
  const cut = reader.truncated ? ` (recording cut short at byte offset ${reader.truncated.offset})` : '';
  console.log(`wrote ${n} frames to ${values.output}${cut}`);
  return 0;
}
