/** A small example.com zone for gallery scenarios: SOA, NS records with glue, and the given address records. */
import type { ZoneData } from '../../stack/dns/zone.js';

/** example.com served by `servers` (name → address, the first is the SOA's MNAME), holding `records` (name → IPv4). */
export function exampleZone(servers: Record<string, string>, records: Record<string, string>): ZoneData {
  const ns = Object.entries(servers);
  return {
    origin: 'example.com.',
    ttl: 300,
    soa: { mname: `${ns[0]![0]}.example.com.`, rname: 'hostmaster.example.com.', minimum: 60, ttl: 300 },
    records: [
      ...ns.map(([name]) => ({ name: '@', type: 'NS' as const, data: name })),
      ...[...ns, ...Object.entries(records)].map(([name, addr]) => ({ name, type: 'A' as const, data: addr })),
    ],
  };
}
