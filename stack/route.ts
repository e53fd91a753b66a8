/**
 * IPv4 and IPv6 routing tables: longest-prefix match, then lowest metric, then insertion order (Linux's FIB picks
 * the most specific route; among equals, the first inserted with the lowest metric).
 */
import { ipv6PrefixMatch, prefixMask, type Interface } from './iface.js';

/** One IPv4 route. `gateway` 0 means on-link (directly connected). */
export interface Route4 {
  dest: number;
  prefixLen: number;
  gateway: number;
  iface: Interface;
  metric: number;
  /** Preferred source address (Linux's `src` route attribute), or 0. */
  prefSrc: number;
}

/** What every route has: an interface, a prefix length and a metric. */
interface RouteBase {
  prefixLen: number;
  iface: Interface;
  metric: number;
}

/** A routing table: the routes in insertion order, and the FIB's choice among those matching a destination. */
abstract class RouteTable<R extends RouteBase, A> {
  readonly routes: R[] = [];

  /** Whether route r covers address a. */
  protected abstract covers(r: R, a: A): boolean;

  /** Removes routes matching the predicate; returns how many. */
  remove(pred: (r: R) => boolean): number {
    let n = 0;
    for (let i = this.routes.length - 1; i >= 0; i--) {
      if (pred(this.routes[i]!)) {
        this.routes.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  /** The longest-prefix, lowest-metric route to dst over an up interface (restricted to `oif` when given). */
  lookup(dst: A, oif?: number): R | undefined {
    let best: R | undefined;
    for (const r of this.routes) {
      if (!r.iface.up || (oif !== undefined && oif !== 0 && r.iface.index !== oif)) continue;
      if (!this.covers(r, dst)) continue;
      if (!best || r.prefixLen > best.prefixLen || (r.prefixLen === best.prefixLen && r.metric < best.metric)) best = r;
    }
    return best;
  }
}

/** A host's IPv4 routes. */
export class RouteTable4 extends RouteTable<Route4, number> {
  /** Adds a route; the destination is masked to its prefix. */
  add(r: Omit<Route4, 'metric' | 'prefSrc'> & { metric?: number; prefSrc?: number }): Route4 {
    const route: Route4 = { metric: 0, prefSrc: 0, ...r, dest: (r.dest & prefixMask(r.prefixLen)) >>> 0 };
    this.routes.push(route);
    return route;
  }

  protected covers(r: Route4, dst: number): boolean {
    return ((dst & prefixMask(r.prefixLen)) >>> 0) === r.dest;
  }
}

/** One IPv6 route. `gateway` null means on-link. Linux gives kernel and static IPv6 routes metric 1024, prefix routes of addresses 256. */
export interface Route6 {
  dest: Uint8Array;
  prefixLen: number;
  gateway: Uint8Array | null;
  iface: Interface;
  metric: number;
}

/** A host's IPv6 routes (the main table; local and link-local destinations are decided by the IPv6 layer). */
export class RouteTable6 extends RouteTable<Route6, Uint8Array> {
  /** Adds a route; the destination is masked to its prefix. */
  add(r: Omit<Route6, 'metric'> & { metric?: number }): Route6 {
    const dest = new Uint8Array(16);
    for (let i = 0; i < 16; i++) {
      const bits = Math.max(0, Math.min(8, r.prefixLen - i * 8));
      dest[i] = r.dest[i]! & ((0xff << (8 - bits)) & 0xff);
    }
    const route: Route6 = { metric: 1024, ...r, dest };
    this.routes.push(route);
    return route;
  }

  protected covers(r: Route6, dst: Uint8Array): boolean {
    return ipv6PrefixMatch(dst, r.dest, r.prefixLen);
  }
}
