/**
 * IPv4 routing table: longest-prefix match, then lowest metric, then insertion order (Linux's FIB picks the most
 * specific route; among equals, the first inserted with the lowest metric).
 */
import { prefixMask, type Interface } from './iface.js';

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

/** A host's IPv4 routes. */
export class RouteTable4 {
  readonly routes: Route4[] = [];

  /** Adds a route; the destination is masked to its prefix. */
  add(r: Omit<Route4, 'metric' | 'prefSrc'> & { metric?: number; prefSrc?: number }): Route4 {
    const route: Route4 = { metric: 0, prefSrc: 0, ...r, dest: (r.dest & prefixMask(r.prefixLen)) >>> 0 };
    this.routes.push(route);
    return route;
  }

  /** Removes routes matching the predicate; returns how many. */
  remove(pred: (r: Route4) => boolean): number {
    let n = 0;
    for (let i = this.routes.length - 1; i >= 0; i--) {
      if (pred(this.routes[i]!)) {
        this.routes.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  /** The best route to dst over an interface that is up, or undefined. */
  lookup(dst: number): Route4 | undefined {
    let best: Route4 | undefined;
    for (const r of this.routes) {
      if (!r.iface.up) continue;
      if (((dst & prefixMask(r.prefixLen)) >>> 0) !== r.dest) continue;
      if (!best || r.prefixLen > best.prefixLen || (r.prefixLen === best.prefixLen && r.metric < best.metric)) best = r;
    }
    return best;
  }
}
