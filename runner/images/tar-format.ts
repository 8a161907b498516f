import type { ChunkReader } from './tar-reader';

/**
 * Tar entries as OCI layers write them: ustar and GNU headers, GNU long names (L/K) and pax
 * extended headers (x/g) for long paths, big sizes and ids. Only the fields a layer needs are
 * read; xattrs in pax records are ignored on purpose (file capabilities must never arrive).
 */
export type TarEntry = {
  type: 'file' | 'hardlink' | 'symlink' | 'dir' | 'device' | 'fifo';
  path: string;
  linkPath: string;
  size: number;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
};

const BLOCK = 512;

const text = (b: Buffer, start: number, len: number) => {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul === -1 ? len : nul).toString('utf8');
};

function number(b: Buffer, start: number, len: number): number {
  const field = b.subarray(start, start + len);
  if (field[0]! & 0x80) {
    // GNU base-256: big-endian, first byte's top bit is the flag.
    let v = field[0]! & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + field[i]!;
    return v;
  }
  const s = text(b, start, len).trim();
  if (!s) return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`a tar header has a malformed number field (${JSON.stringify(s)})`);
  return Number.parseInt(s, 8);
}

function checksumOk(h: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : h[i]!;
  return sum === number(h, 148, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = Number.parseInt(data.subarray(pos, space).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0 || pos + len > data.length) throw new Error('a pax header is malformed');
    const rec = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

const MAX_META = 1 << 20; // a long name or pax header over 1 MiB is an attack, not a file name

async function readPadded(r: ChunkReader, size: number): Promise<Buffer> {
  if (size > MAX_META) throw new Error('a tar metadata entry is implausibly large');
  const padded = Math.ceil(size / BLOCK) * BLOCK;
  const b = await r.read(padded);
  if (!b) throw new Error('the layer ends after a metadata header');
  return b.subarray(0, size);
}

/**
 * The next entry's header (its content, `size` bytes then padding to 512, is left for the caller),
 * or null at the end of the archive.
 */
export async function nextEntry(r: ChunkReader): Promise<TarEntry | null> {
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Record<string, string> = {};
  const global: Record<string, string> = {};
  for (;;) {
    const h = await r.read(BLOCK);
    if (!h || h.every((x) => x === 0)) return null;
    if (!checksumOk(h)) throw new Error('a tar header has a bad checksum (corrupt layer)');
    const flag = String.fromCharCode(h[156]!);
    const size = number(h, 124, 12);
    if (flag === 'L') longName = text(await readPadded(r, size), 0, size);
    else if (flag === 'K') longLink = text(await readPadded(r, size), 0, size);
    else if (flag === 'x') pax = { ...pax, ...parsePax(await readPadded(r, size)) };
    else if (flag === 'g') Object.assign(global, parsePax(await readPadded(r, size)));
    else {
      const ustar = text(h, 257, 6).startsWith('ustar');
      const prefix = ustar ? text(h, 345, 155) : '';
      const name = text(h, 0, 100);
      const meta = { ...global, ...pax };
      const type = typeOf(flag);
      for (const k of ['size', 'uid', 'gid', 'mtime'] as const) {
        if (meta[k] !== undefined && !/^\d{1,15}(\.\d+)?$/.test(meta[k])) throw new Error(`a pax header has a malformed ${k}`);
      }
      return {
        type,
        path: meta.path ?? longName ?? (prefix ? `${prefix}/${name}` : name),
        linkPath: meta.linkpath ?? longLink ?? text(h, 157, 100),
        // Only regular files carry data (POSIX: links, dirs and devices have none, whatever `size` says).
        size: type !== 'file' ? 0 : meta.size !== undefined ? Math.floor(Number(meta.size)) : size,
        mode: number(h, 100, 8) & 0o7777,
        uid: meta.uid !== undefined ? Number(meta.uid) : number(h, 108, 8),
        gid: meta.gid !== undefined ? Number(meta.gid) : number(h, 116, 8),
        mtime: meta.mtime !== undefined ? Math.floor(Number(meta.mtime)) : number(h, 136, 12),
      };
    }
  }
}

function typeOf(flag: string): TarEntry['type'] {
  switch (flag) {
    case '0':
    case '\0':
    case '7':
      return 'file';
    case '1':
      return 'hardlink';
    case '2':
      return 'symlink';
    case '3':
    case '4':
      return 'device';
    case '5':
      return 'dir';
    case '6':
      return 'fifo';
    default:
      throw new Error(`the layer has a tar entry of unsupported type ${JSON.stringify(flag)}`);
  }
}

export const paddingOf = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;
