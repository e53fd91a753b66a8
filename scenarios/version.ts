/** socksim's version, written into recordings (kept in step with package.json by a test). */
export const SOCKSIM_VERSION = '0.1.0';
