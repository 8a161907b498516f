import fs from 'node:fs';
import path from 'node:path';
import { randomToken } from '@/lib/ids';

/**
 * A secret generated once and kept in the data dir (mode 0600), so that sessions and tokens
 * signed with it survive restarts without the operator having to configure anything.
 */
export function persistentSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(dataDir, { recursive: true });
    const value = randomToken(32);
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' });
    return value;
  }
}
