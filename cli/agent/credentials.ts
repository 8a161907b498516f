import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ConnectionOptions } from '@/sdk/src/index';

/**
 * Where `warren login` keeps the key: the user's config dir ($XDG_CONFIG_HOME/warren, else
 * ~/.config/warren; WARREN_CONFIG_DIR overrides), in a 0600 file in a 0700 dir, as ssh and gh do.
 * WARREN_API_KEY / WARREN_API_URL in the environment win over the file (scripts, CI, agents).
 */
type Stored = { apiUrl?: string; apiKey?: string };

export function configDir(): string {
  if (process.env.WARREN_CONFIG_DIR) return process.env.WARREN_CONFIG_DIR;
  const base = process.env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'warren');
}

const file = () => path.join(configDir(), 'config.json');

export function readStored(): Stored {
  try {
    return JSON.parse(fs.readFileSync(file(), 'utf8')) as Stored;
  } catch {
    return {};
  }
}

export function store(s: Stored): string {
  fs.mkdirSync(configDir(), { recursive: true, mode: 0o700 });
  const tmp = `${file()}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(s, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file()); // never a half-written key file
  return file();
}

export function forget(): boolean {
  try {
    fs.rmSync(file());
    return true;
  } catch {
    return false;
  }
}

export class NotLoggedIn extends Error {
  constructor() {
    super('No API key: run "warren login", or set WARREN_API_KEY (and WARREN_API_URL)');
  }
}

/** The connection the commands use: environment first, then the stored login. */
export function connection(): ConnectionOptions {
  const s = readStored();
  const apiKey = process.env.WARREN_API_KEY || s.apiKey;
  if (!apiKey) throw new NotLoggedIn();
  return { apiKey, apiUrl: process.env.WARREN_API_URL || s.apiUrl || 'http://localhost:3000' };
}
