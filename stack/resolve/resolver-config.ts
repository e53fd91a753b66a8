/**
 * One host's name-service configuration: the text of /etc/resolv.conf and /etc/hosts, parsed as glibc 2.36 does
 * (stack/dns/resolv-conf.ts), plus the order of the hosts database in /etc/nsswitch.conf. A topology sets it when it
 * builds the host, and a scenario may change it at runtime. The nameserver list is the host's `dnsServers` field
 * (the network layer's "set DNS" call, seed 002's sys_network_set_dns): when it is non-empty it replaces the
 * nameserver lines of resolv.conf. Every change bumps `generation`, the way glibc's file change detection notices
 * a rewritten resolv.conf (resolv_conf.c: __resolv_conf_get_current compares the file's identity and mtime).
 */
import type { Host } from '../host.js';
import { HostsFile, parseResolvConf, type ResolvConf, type ResolvEnvironment } from '../dns/resolv-conf.js';
import { parseAddress } from '../dns/address.js';

/** /etc/hosts of a fresh host: the loopback names of Debian's default file (hosts(5)). */
export const DEFAULT_HOSTS_TEXT = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n';

/** A source in the "hosts:" line of nsswitch.conf(5). */
export type HostsSource = 'files' | 'dns';

const configs = new WeakMap<Host, ResolverConfig>();

/** host.dnsServers: the name servers the network layer was told (stack/ifconfig.ts setDnsServers). */
function hostServers(host: Host): readonly string[] {
  return host.dnsServers;
}

/** The resolver configuration of `host`, created with the defaults on first use. */
export function resolverConfig(host: Host): ResolverConfig {
  let c = configs.get(host);
  if (c === undefined) {
    c = new ResolverConfig(host);
    configs.set(host, c);
  }
  return c;
}

/** The stub-resolver configuration of one host. */
export class ResolverConfig {
  private resolvText = '';
  private hostsText = DEFAULT_HOSTS_TEXT;
  private parsedConf: ResolvConf | null = null;
  private parsedHosts: HostsFile | null = null;
  /** Environment res_init(3) reads (LOCALDOMAIN, RES_OPTIONS); the hostname comes from the host. */
  private environment: Omit<ResolvEnvironment, 'hostname'> = {};
  private changes = 0;
  /** host.dnsServers as last seen, to notice changes made to it directly. */
  private serversSeen = '';
  /** The "hosts:" line of nsswitch.conf(5); glibc's built-in default without the file is "dns files". */
  hostsOrder: readonly HostsSource[] = ['files', 'dns'];
  /** host.conf(5) "multi on": gethostbyname returns every matching /etc/hosts line (Debian ships it on). */
  multi = true;

  /** The host whose /etc files these are; its name is gethostname(2), used for a default search domain. */
  constructor(private readonly host: Host) {}

  /** Bumped by every change, so processes notice a new configuration at their next lookup. */
  get generation(): number {
    this.syncServers();
    return this.changes;
  }

  /** The parsed resolv.conf (res_init(3) state), nameservers from host.dnsServers when it lists any. */
  get conf(): ResolvConf {
    this.syncServers();
    this.parsedConf ??= parseResolvConf(this.effectiveResolvConf(), { ...this.environment, hostname: this.host.name });
    return this.parsedConf;
  }

  /** resolv.conf as the resolver reads it: host.dnsServers, when set, in place of the file's nameserver lines. */
  effectiveResolvConf(): string {
    const servers = hostServers(this.host);
    if (servers.length === 0) return this.resolvText;
    const kept = this.resolvText.split('\n').filter((l) => l !== '' && !/^nameserver[ \t]/.test(l));
    return [...servers.map((a) => `nameserver ${a}`), ...kept].map((l) => `${l}\n`).join('');
  }

  /** The parsed /etc/hosts. */
  get hosts(): HostsFile {
    this.parsedHosts ??= new HostsFile(this.hostsText);
    return this.parsedHosts;
  }

  /** The current /etc/resolv.conf text. */
  get resolvConfText(): string {
    return this.resolvText;
  }

  /** The current /etc/hosts text. */
  get hostsFileText(): string {
    return this.hostsText;
  }

  /** Replaces /etc/resolv.conf. */
  setResolvConf(text: string): void {
    this.resolvText = text;
    this.changed();
  }

  /** Replaces /etc/hosts. */
  setHosts(text: string): void {
    this.hostsText = text;
    this.changed();
  }

  /** Appends one /etc/hosts line: an address and its names (canonical name first, hosts(5)). */
  addHost(address: string, ...names: string[]): void {
    if (names.length === 0) throw new Error('addHost needs at least one name');
    if (parseAddress(address) === undefined) throw new Error(`addHost: "${address}" is not an address`);
    const sep = this.hostsText === '' || this.hostsText.endsWith('\n') ? '' : '\n';
    this.setHosts(`${this.hostsText}${sep}${address}\t${names.join(' ')}\n`);
  }

  /**
   * The "set DNS servers" call of a network manager (resolvconf(8), seed 002's sys_network_set_dns): sets
   * host.dnsServers, which replaces the nameserver lines of resolv.conf. At most MAXNS (3) are used by lookups.
   */
  setNameservers(addresses: readonly string[]): void {
    for (const a of addresses) if (parseAddress(a) === undefined) throw new Error(`setNameservers: "${a}" is not an address`);
    this.host.dnsServers = [...addresses];
    this.syncServers();
  }

  /** Sets LOCALDOMAIN / RES_OPTIONS as a process environment would (resolv.conf(5)). */
  setEnvironment(env: Omit<ResolvEnvironment, 'hostname'>): void {
    this.environment = { ...env };
    this.changed();
  }

  private changed(): void {
    this.parsedConf = null;
    this.parsedHosts = null;
    this.changes++;
  }

  /** Counts a change of host.dnsServers made by anyone since the last look. */
  private syncServers(): void {
    const now = hostServers(this.host).join(' ');
    if (now === this.serversSeen) return;
    this.serversSeen = now;
    this.changed();
  }
}
