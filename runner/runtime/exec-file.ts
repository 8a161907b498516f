import { execFile, type ExecFileOptions } from 'node:child_process';

/** Runs a host command (argv, never a shell); rejects with its stderr in the message. */
export function run(cmd: string, args: string[], opts: ExecFileOptions & { input?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { maxBuffer: 16 * 1024 * 1024, ...opts, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr || err.message).trim().split('\n').slice(-3).join(' | ');
        reject(Object.assign(new Error(`${cmd} ${args.slice(0, 3).join(' ')}: ${detail}`), { stderr, code: (err as { code?: unknown }).code }));
      } else resolve(String(stdout));
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

export async function tryRun(cmd: string, args: string[], opts: ExecFileOptions = {}): Promise<boolean> {
  try {
    await run(cmd, args, opts);
    return true;
  } catch {
    return false;
  }
}
