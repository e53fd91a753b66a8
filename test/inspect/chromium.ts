/**
 * Headless Chromium for the page tests: find it (installing the Debian package when it is missing and this is a
 * root shell with apt-get, as CI's machine is), load a page with the flags that keep it from touching any network
 * or profile, and read a PNG screenshot back to check it is not blank.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';

/** The apt line that installs the browser (the report hands it to .ci/run). */
export const CHROMIUM_APT = 'apt-get install -y chromium';

function onPath(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** The browser's path, installing it if need be; otherwise why it cannot be had. */
export function findChromium(): { path: string } | { missing: string } {
  const found = onPath('chromium') ?? onPath('chromium-browser');
  if (found) return { path: found };
  if (process.getuid?.() !== 0 || !onPath('apt-get')) return { missing: `chromium is not installed and this is not a root shell with apt-get (run: ${CHROMIUM_APT})` };
  const r = spawnSync('sh', ['-c', `DEBIAN_FRONTEND=noninteractive ${CHROMIUM_APT} -qq || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${CHROMIUM_APT} -qq)`],
    { encoding: 'utf8', timeout: 600_000 });
  const after = onPath('chromium');
  return after ? { path: after } : { missing: `chromium is not installed and "${CHROMIUM_APT}" failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-2).join(' ')}` };
}

/** Runs headless Chromium on a file with extra flags; returns stdout and stderr. */
export function runChromium(browser: string, file: string, extra: string[]): { status: number; stdout: string; stderr: string } {
  const profile = mkdtempSync(join(tmpdir(), 'socksim-chromium-'));
  try {
    const r = spawnSync(browser, [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', `--user-data-dir=${profile}`, '--enable-logging=stderr', '--v=0',
      '--virtual-time-budget=5000', ...extra, `file://${file}`,
    ], { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

/**
 * Console messages in Chromium's log. The page writes none itself, so every one is a problem: an uncaught
 * exception, a console.error, or a load its Content-Security-Policy blocked ("violates the following …").
 */
export function consoleErrors(stderr: string): string[] {
  return stderr.split('\n').filter((l) => /:CONSOLE[:(]/.test(l) || /Content Security Policy|Refused to (load|connect|execute)/.test(l));
}

/** The <body> attributes of a dumped DOM. */
export function bodyAttrs(dom: string): Record<string, string> {
  const m = /<body([^>]*)>/.exec(dom);
  const out: Record<string, string> = {};
  for (const a of (m?.[1] ?? '').matchAll(/([\w-]+)="([^"]*)"/g)) out[a[1]!] = a[2]!;
  return out;
}

/** Decodes an 8-bit, non-interlaced RGB or RGBA PNG: its size and how many distinct colours it has. */
export function pngStats(path: string): { width: number; height: number; colours: number } {
  const b = readFileSync(path);
  if (b.subarray(0, 8).toString('hex') !== '89504e470d0a1a0a') throw new Error(`${path} is not a PNG`);
  let i = 8, width = 0, height = 0, bpp = 0;
  const idat: Buffer[] = [];
  while (i < b.length) {
    const n = b.readUInt32BE(i), type = b.toString('latin1', i + 4, i + 8), d = b.subarray(i + 8, i + 8 + n);
    if (type === 'IHDR') {
      width = d.readUInt32BE(0);
      height = d.readUInt32BE(4);
      if (d[8] !== 8 || d[12] !== 0) throw new Error('unsupported PNG (bit depth or interlace)');
      bpp = d[9] === 6 ? 4 : d[9] === 2 ? 3 : 0;
      if (!bpp) throw new Error(`unsupported PNG colour type ${d[9]}`);
    } else if (type === 'IDAT') {
      idat.push(d);
    }
    i += 12 + n;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  let prev = new Uint8Array(stride);
  const colours = new Set<number>();
  // Unfilter each scanline (PNG spec §9: None, Sub, Up, Average, Paeth).
  for (let y = 0, p = 0; y < height; y++, p += stride + 1) {
    const f = raw[p]!, line = Uint8Array.from(raw.subarray(p + 1, p + 1 + stride));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? line[x - bpp]! : 0, up = prev[x]!, c = x >= bpp ? prev[x - bpp]! : 0;
      let add = 0;
      if (f === 1) add = a;
      else if (f === 2) add = up;
      else if (f === 3) add = (a + up) >> 1;
      else if (f === 4) {
        const pp = a + up - c, pa = Math.abs(pp - a), pb = Math.abs(pp - up), pc = Math.abs(pp - c);
        add = pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
      }
      line[x] = (line[x]! + add) & 255;
    }
    for (let x = 0; x < stride; x += bpp * 7) colours.add((line[x]! << 16) | (line[x + 1]! << 8) | line[x + 2]!);
    prev = line;
  }
  return { width, height, colours: colours.size };
}
