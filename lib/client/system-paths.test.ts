import { describe, expect, it } from 'vitest';
import { isSystemPath } from '@/components/sandboxes/files/system-paths';

describe('paths the file browser will not delete', () => {
  it('protects kernel views at every depth and the OS folders themselves', () => {
    for (const p of ['/proc', '/proc/1/environ', '/sys/fs', '/dev', '/dev/null', '/usr', '/usr/bin', '/etc', '/', '/home/']) {
      expect(isSystemPath(p), p).toBe(true);
    }
  });
  it('lets people delete their own files, also under OS folders', () => {
    for (const p of ['/home/user', '/home/user/a.txt', '/tmp/x', '/usr/local/bin/tool', '/etc/myapp.conf', '/procfile']) {
      expect(isSystemPath(p), p).toBe(false);
    }
  });
});
