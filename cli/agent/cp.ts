import fs from 'node:fs';
import path from 'node:path';
import { Sandbox } from '@/sdk/src/index';
import { connection } from './credentials';
import { parse, UsageError } from './options';
import type { Out } from './sandbox-commands';

/** `<sandbox>:<path>` (a relative path is under /home/user), or a local path. */
type Place = { sandbox: string; path: string } | { local: string };

function place(arg: string): Place {
  const m = /^([a-z0-9][a-z0-9-]{0,62}):(.*)$/.exec(arg);
  if (!m) return { local: path.resolve(process.env.WARREN_CWD || process.env.INIT_CWD || process.cwd(), arg) };
  const p = m[2] || '.';
  return { sandbox: m[1]!, path: p.startsWith('/') ? p : path.posix.join('/home/user', p) };
}

/**
 * `warren sandbox cp SRC DST`: files and directories (recursively), either way, as `cp -r` does:
 * a destination that is an existing directory receives the source under its own name.
 */
export async function cp(argv: string[], out: Out): Promise<number | undefined> {
  const { positionals } = parse(argv, {});
  if (positionals.length !== 2) throw new UsageError('Usage: warren sandbox cp <src> <dst>, one of them <sandbox>:<path>');
  const [src, dst] = positionals.map(place) as [Place, Place];
  if ('local' in src && 'sandbox' in dst) {
    if (!fs.existsSync(src.local)) throw new UsageError(`${src.local} does not exist`);
    const sb = await Sandbox.connect(dst.sandbox, connection());
    const into = (await sb.files.stat(dst.path))?.type === 'dir' ? path.posix.join(dst.path, path.basename(src.local)) : dst.path;
    const n = await sb.files.upload(src.local, into);
    out.line(`Copied ${n} file${n === 1 ? '' : 's'} to ${dst.sandbox}:${into}`);
    return;
  }
  if ('sandbox' in src && 'local' in dst) {
    const sb = await Sandbox.connect(src.sandbox, connection());
    const into = fs.existsSync(dst.local) && fs.statSync(dst.local).isDirectory() ? path.join(dst.local, path.posix.basename(src.path)) : dst.local;
    const n = await sb.files.download(src.path, into);
    out.line(`Copied ${n} file${n === 1 ? '' : 's'} to ${into}`);
    return;
  }
  throw new UsageError('One side of cp is a sandbox path (<sandbox>:<path>) and the other a local path');
}
