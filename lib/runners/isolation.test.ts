import { describe, expect, it } from 'vitest';
import { gvisorRefusal } from './isolation';

const runner = (reason?: string, available = false) => ({ capacity: { isolation: { gvisor: { available, reason } } } }) as never;

describe('why a runner cannot run gVisor, as tenants see it', () => {
  it('keeps a short reason as it is, and says nothing when the runner can', () => {
    expect(gvisorRefusal(runner('runsc not found'))).toBe('runsc not found');
    expect(gvisorRefusal(runner(undefined, true))).toBeNull();
    expect(gvisorRefusal(runner(undefined))).toBe('its gVisor probe failed');
  });

  it('shows no host paths or later lines of the probe’s output, and is cut short', () => {
    const said = gvisorRefusal(runner('probe failed: open /tmp/warren-gvisor-probe-x1/config.json: denied\nrunsc: boot /var/lib/x'))!;
    expect(said).toBe('probe failed: open <path>: denied');
    expect(gvisorRefusal(runner('x'.repeat(500)))!.length).toBe(160);
  });
});
