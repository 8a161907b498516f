import { execFile, type ExecFileOptions } from 'node:child_process';

type RunOptions = ExecFileOptions & {
  input?: string;
  /**
   * The command ends (SIGTERM) when this process dies, however it dies: for long host commands a
   * runner starts for a build or a pull (mmdebstrap, skopeo), which would otherwise outlive a
   * runner killed mid-way and race the build its next start resumes. By util-linux's `setpriv
   * --pdeathsig`, which sets the signal and then executes the command in the same process.
   */
  endsWithRunner?: boolean;
};

/** Runs a host command (argv, never a shell); rejects with its stderr in the message. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const { endsWithRunner, input, ...execOpts } = opts;
  const [file, argv] = endsWithRunner ? ['setpriv', ['--pdeathsig', 'TERM', '--', cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const child = execFile(file, argv, { maxBuffer: 16 * 1024 * 1024, ...execOpts, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr || err.message).trim().split('\n').slice(-3).join(' | ');
        // setpriv says so when the command itself is missing: the same ENOENT a direct run gives.
        const missing = endsWithRunner && (err as { code?: unknown }).code === 127 && /failed to execute .*No such file/.test(String(stderr));
        reject(Object.assign(new Error(`${cmd} ${args.slice(0, 3).join(' ')}: ${detail}`), { stderr, code: missing ? 'ENOENT' : (err as { code?: unknown }).code }));
      } else resolve(String(stdout));
    });
    if (input !== undefined) child.stdin?.end(input);
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
