/**
 * Interface enumeration calls (getifaddrs(3), if_nameindex(3), if_nametoindex(3), if_indextoname(3)) over the
 * host's interfaces, with glibc's results on Linux; each is recorded like a syscall.
 */
import { getifaddrs, ifIndexToName, ifNameIndex, ifNameToIndex, type IfAddr } from '../ifaddrs.js';
import { Errno } from '../errno.js';
import { SysMux } from './mux.js';

/** The interface-enumeration group of calls. */
export class SysNetif extends SysMux {
  /** getifaddrs(3): the list (freeifaddrs is the garbage collector's job), or null with errno. */
  async getifaddrs(): Promise<IfAddr[]> {
    const list = getifaddrs(this.host);
    this.done('getifaddrs', [], list.length);
    return list;
  }

  /** if_nameindex(3): every interface in index order. */
  async if_nameindex(): Promise<{ index: number; name: string }[]> {
    const list = ifNameIndex(this.host);
    this.done('if_nameindex', [], list.length);
    return list;
  }

  /** if_nametoindex(3): the index, or 0 with errno ENODEV for an unknown name (as glibc on Linux). */
  async if_nametoindex(name: string): Promise<number> {
    const r = typeof name === 'string' ? ifNameToIndex(this.host, name) : -Errno.ENODEV;
    const ret = this.done('if_nametoindex', [typeof name === 'string' ? name : null], r);
    return ret < 0 ? 0 : ret;
  }

  /** if_indextoname(3): the name, or null with errno ENXIO. */
  async if_indextoname(index: number): Promise<string | null> {
    const r = Number.isInteger(index) ? ifIndexToName(this.host, index) : -Errno.ENXIO;
    this.done('if_indextoname', [index], typeof r === 'string' ? 0 : r);
    return typeof r === 'string' ? r : null;
  }
}
