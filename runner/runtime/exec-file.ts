import { execFile, type ExecFileOptions } from 'node:child_process';

type RunOptions = ExecFileOptions & {
  input?: string;
  /**
   * The command, and everything it forked, ends when this process dies, however it dies: for long
   * host commands a runner starts for a build or a pull (mmdebstrap, skopeo), which would otherwise
   * outlive a runner killed mid-way and race the build its next start resumes. The command runs as
   * the first process of its own PID namespace (util-linux `unshare --pid --fork`), which the
   * kernel empties when that process dies, and in its own mount namespace, so mounts it made
   * (mmdebstrap's /proc, /dev and /sys in its chroot) go with it. `setpriv --pdeathsig KILL` ends
   * `unshare` with this process, and `--kill-child=KILL` the command with `unshare`. A pdeathsig
   * of TERM alone reached the command but not its forked helpers (mmdebstrap's apt-get ran on).
   * A timeout or abort kills the same way (SIGKILL: `unshare` ignores TERM while it waits).
   */
  endsWithRunner?: boolean;
};

const TIED_TO_RUNNER = ['--pdeathsig', 'KILL', '--', 'unshare', '--pid', '--mount', '--fork', '--kill-child=KILL', '--'];

/** Runs a host command (argv, never a shell); rejects with its stderr in the message. */
export function run(cmd: string, args: string[], opts: RunOptions = {}): Promise<string> {
  const { endsWithRunner, input, ...execOpts } = opts;
  const [file, argv] = endsWithRunner ? ['setpriv', [...TIED_TO_RUNNER, cmd, ...args]] : [cmd, args];
  const killSignal = execOpts.killSignal ?? (endsWithRunner ? 'SIGKILL' : undefined);
  return new Promise((resolve, reject) => {
    const child = execFile(file, argv, { maxBuffer: 16 * 1024 * 1024, ...execOpts, killSignal, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const detail = String(stderr || err.message).trim().split('\n').slice(-3).join(' | ');
        // unshare says so when the command itself is missing: the same ENOENT a direct run gives.
        const missing = endsWithRunner && (err as { code?: unknown }).code === 127 && /failed to execute .*No such file/.test(String(stderr));
        reject(Object.assign(new Error(`${cmd} ${args.slice(0, 3).join(' ')}: ${detail}`), { stderr, code: missing ? 'ENOENT' : (err as { code?: unknown }).code }));
      } else resolve(String(stdout));
    });
    if (input !== undefined) child.stdin?.end(input);
    // Node's abort sends SIGTERM whatever `killSignal` says, and `unshare` ignores it.
    const signal = execOpts.signal;
    if (endsWithRunner && signal) {
      const stop = () => child.kill('SIGKILL');
      if (signal.aborted) stop();
      else {
        signal.addEventListener('abort', stop, { once: true });
        child.once('exit', () => signal.removeEventListener('abort', stop));
      }
    }
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
