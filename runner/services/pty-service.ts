import fs from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError, notFound } from '@/lib/errors';
import type { PtySessionInfo } from '@/lib/runner-client/types';
import type { PtyCreateBody } from '@/runner/api/schemas';
import type { SandboxManager } from '@/runner/sandbox/types';
import { commandEnv, identity, sandboxPath } from './command-env';
import { isGone, readJsonFile, writeJsonFile } from './json-store';
import { ProcHub } from './proc-hub';

export const DEFAULT_PTY_GRACE_MS = 5 * 60 * 1000;
export const DEFAULT_PTY_RING_BYTES = 256 * 1024;
export const MAX_PTY_SESSIONS = 32;

/** `cmd` is set when the terminal runs a program of the caller's choosing instead of the login shell. */
type PtyRecord = { sessionId: string; pid: number; cols: number; rows: number; createdAt: string; cmd?: string[] };
export type PtySession = PtyRecord & {
  hub: ProcHub | null;
  grace: NodeJS.Timeout | null;
  attaching?: Promise<void>;
};
type SandboxPtys = Map<string, PtySession>;

/**
 * Terminal sessions: `bash -l` in a detached pty, one runner connection per session (a
 * ProcHub) fanned out to any number of viewers. A session lives as long as its shell and its
 * sandbox, watched or not: a server started in the browser terminal keeps serving its preview
 * after the tab is closed (they used to be killed five minutes after the last viewer left).
 * What bounds them is MAX_PTY_SESSIONS per sandbox; a shell that exits stays listed (and its
 * output replayable) for a grace period without viewers, then its record goes. Records
 * (sessionId → pid) live in the agent dir so a restarted runner re-attaches on demand.
 */
/** An image may have no bash (alpine, busybox, slim bases): its login shell is then `sh -l`. */
const IMAGE_SHELL = ['/bin/sh', '-c', 'if command -v bash >/dev/null 2>&1; then exec bash -l; else exec /bin/sh -l; fi'];

export class PtyService {
  private readonly sandboxes = new Map<string, Promise<SandboxPtys>>();

  constructor(
    private readonly manager: SandboxManager,
    private readonly log: Logger,
    private readonly opts: { graceMs: number; ringBytes: number },
  ) {}

  private file(id: string) {
    // Runner-private: /run/warren inside the sandbox is writable by the sandbox's root.
    return path.join(this.manager.stateDir(id), 'pty-sessions.json');
  }

  private load(id: string): Promise<SandboxPtys> {
    this.manager.get(id); // unknown ids are a 404 before any path is built from them
    let p = this.sandboxes.get(id);
    if (!p) {
      p = readJsonFile<PtyRecord[]>(this.file(id), []).then(
        (list) => new Map(list.map((r) => [r.sessionId, { ...r, hub: null, grace: null }])),
      );
      this.sandboxes.set(id, p);
      p.catch(() => this.sandboxes.delete(id));
    }
    return p;
  }

  private persist(id: string, s: SandboxPtys): Promise<void> {
    let file: string;
    try {
      file = this.file(id);
    } catch {
      return Promise.resolve(); // the sandbox was deleted meanwhile: nothing left to persist
    }
    const live = [...s.values()].filter((x) => !x.hub?.exit);
    const records = live.map(({ sessionId, pid, cols, rows, createdAt, cmd }) => ({
      sessionId,
      pid,
      cols,
      rows,
      createdAt,
      cmd,
    }));
    return writeJsonFile(file, records).catch((err) =>
      this.log.warn({ err, sandboxId: id }, 'could not persist pty sessions'),
    );
  }

  async create(id: string, body: PtyCreateBody): Promise<{ sessionId: string; pid: number }> {
    const info = this.manager.get(id);
    const agent = this.manager.agent(id);
    this.manager.touch(id);
    const sessions = await this.load(id);
    // Each terminal holds a connection and a ring buffer in the runner: bounded per sandbox.
    if (sessions.size >= MAX_PTY_SESSIONS) {
      throw new AppError('quota_exceeded', `A sandbox has at most ${MAX_PTY_SESSIONS} terminals; close one first`);
    }
    const who = identity(body.user);
    const proc = await agent.spawn({
      argv: body.cmd ?? (info.image ? IMAGE_SHELL : ['bash', '-l']),
      env: { ...commandEnv(info, body.user, body.env, this.manager.secretEnv(id)), TERM: 'xterm-256color' },
      cwd: body.cwd ? sandboxPath(body.cwd, who.home) : (info.workdir ?? who.home),
      uid: who.uid,
      gid: who.gid,
      pty: { cols: body.cols, rows: body.rows },
      detach: true,
      ringBytes: this.opts.ringBytes,
    });
    const s: PtySession = {
      sessionId: `pty_${randomBytes(12).toString('base64url')}`,
      pid: proc.pid,
      cols: body.cols,
      rows: body.rows,
      createdAt: new Date().toISOString(),
      cmd: body.cmd,
      hub: null,
      grace: null,
    };
    sessions.set(s.sessionId, s);
    this.adopt(id, sessions, s, new ProcHub(proc, this.opts.ringBytes));
    await this.persist(id, sessions); // durable before we answer: a restart right after must find it
    return { sessionId: s.sessionId, pid: s.pid };
  }

  private adopt(id: string, sessions: SandboxPtys, s: PtySession, hub: ProcHub) {
    s.hub = hub;
    hub.on('viewers', (n: number) => (n === 0 && hub.exit ? this.armGrace(id, sessions, s) : this.disarmGrace(s)));
    hub.on('exit', () => this.persist(id, sessions));
    hub.on('close', () => {
      // Exited: keep it listed (and replayable) until the grace period passes without viewers.
      if (hub.exit && hub.viewers === 0) this.armGrace(id, sessions, s);
    });
  }

  private armGrace(id: string, sessions: SandboxPtys, s: PtySession) {
    this.disarmGrace(s);
    s.grace = setTimeout(() => {
      s.grace = null;
      // Only exited shells get here: forget the record (nothing is left to kill).
      sessions.delete(s.sessionId);
      this.persist(id, sessions);
    }, this.opts.graceMs);
    s.grace.unref();
  }

  private alive(s: PtySession): s is PtySession & { hub: ProcHub } {
    return !!s.hub && (!s.hub.closed || !!s.hub.exit);
  }

  /**
   * After a runner restart: sessions found on disk live on (re-attached when someone opens
   * them); listing drops the records of shells that died meanwhile.
   */
  async recover(): Promise<void> {
    for (const sb of this.manager.list()) {
      if (sb.state !== 'running') continue;
      await this.list(sb.id).catch((err) => this.log.debug({ err, sandboxId: sb.id }, 'could not check terminals'));
    }
  }

  private disarmGrace(s: PtySession) {
    if (s.grace) clearTimeout(s.grace);
    s.grace = null;
  }

  /** The session with a live hub; after a restart, re-attaches to the agent's detached pty. */
  async session(id: string, sessionId: string): Promise<PtySession & { hub: ProcHub }> {
    const sessions = await this.load(id);
    const s = sessions.get(sessionId);
    if (!s) throw notFound(`Terminal session ${sessionId}`);
    if (this.alive(s)) return s;
    // Two viewers arriving together must share one attach: the agent keeps only the newest client.
    s.attaching ??= this.reattach(id, sessions, s).finally(() => {
      s.attaching = undefined;
    });
    await s.attaching;
    return s as PtySession & { hub: ProcHub };
  }

  private async reattach(id: string, sessions: SandboxPtys, s: PtySession): Promise<void> {
    const sessionId = s.sessionId;
    if (this.manager.get(id).state !== 'running') throw new AppError('conflict', `Sandbox ${id} is not running`);
    const proc = await this.manager
      .agent(id)
      .attach(s.pid)
      .catch((err) => {
        if (!isGone(err)) throw err;
        sessions.delete(sessionId);
        this.persist(id, sessions);
        throw notFound(`Terminal session ${sessionId} (its shell is gone)`);
      });
    this.adopt(id, sessions, s, new ProcHub(proc, this.opts.ringBytes));
  }

  async list(id: string): Promise<PtySessionInfo[]> {
    const state = this.manager.get(id).state;
    const sessions = await this.load(id);
    // Shells that died without us (sandbox stopped, runner down) are dropped, not listed as live.
    let live: Set<number> | undefined;
    for (const s of [...sessions.values()]) {
      if (this.alive(s) || state === 'paused' || state === 'creating') continue; // frozen, not dead
      if (state === 'running') live ??= await this.manager.agent(id).detachedPids().then((p) => new Set(p), () => undefined);
      if (state !== 'running' || (live && !live.has(s.pid))) {
        this.disarmGrace(s);
        sessions.delete(s.sessionId);
        this.persist(id, sessions);
      }
    }
    return [...sessions.values()].map((s) => ({
      sessionId: s.sessionId,
      pid: s.pid,
      ...(s.cmd ? { cmd: s.cmd } : {}),
      cols: s.cols,
      rows: s.rows,
      createdAt: s.createdAt,
      viewers: s.hub?.viewers ?? 0,
      exited: !!s.hub?.exit,
      exitCode: s.hub?.exit?.exitCode ?? null,
    }));
  }

  /** The pids of a sandbox's terminal shells (the process service leaves them alone). */
  async pids(id: string): Promise<Set<number>> {
    return new Set([...(await this.load(id)).values()].map((s) => s.pid));
  }

  async resize(id: string, sessionId: string, cols: number, rows: number): Promise<void> {
    const s = await this.session(id, sessionId);
    s.cols = cols;
    s.rows = rows;
    s.hub.resize(cols, rows);
    this.persist(id, await this.load(id));
  }

  /** SIGKILL ends the session; any other signal only reaches its process group (which may live on). */
  async kill(id: string, sessionId: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const sessions = await this.load(id);
    const s = await this.session(id, sessionId).catch(() => sessions.get(sessionId));
    if (!s) throw notFound(`Terminal session ${sessionId}`);
    if (signal !== 'SIGKILL') return s.hub?.kill(signal);
    this.disarmGrace(s);
    s.hub?.kill('SIGKILL');
    sessions.delete(sessionId);
    await this.persist(id, sessions);
  }

  /** Drops the runner's side of a sandbox's terminals (delete/stop); the agent does the rest. */
  /** Lets go of a sandbox's terminals; `discard` (its processes are gone) also drops their records. */
  async forgetSandbox(id: string, discard = false): Promise<void> {
    if (discard) await fs.rm(this.file(id), { force: true }).catch(() => {});
    const p = this.sandboxes.get(id);
    this.sandboxes.delete(id);
    const sessions = await p?.catch(() => null);
    for (const s of sessions?.values() ?? []) {
      this.disarmGrace(s);
      s.hub?.detach();
    }
  }

  /** Runner shutdown: let go of every terminal without killing it. */
  shutdown(): void {
    for (const id of [...this.sandboxes.keys()]) void this.forgetSandbox(id);
  }
}
