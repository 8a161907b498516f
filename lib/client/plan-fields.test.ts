import { describe, expect, it } from 'vitest';
import { fromInput, PLAN_FIELDS, toInput } from '@/lib/client/plan-fields';

const field = (key: string) => PLAN_FIELDS.find((f) => f.key === key)!;

describe('plan editor inputs', () => {
  it('reads dollars exactly into micro-dollars and back', () => {
    expect(fromInput(field('vcpuHourMicros'), '0.0504')).toEqual({ value: 50_400 });
    expect(fromInput(field('priceMicros'), '$20')).toEqual({ value: 20_000_000 });
    expect(toInput('money', 50_400)).toBe('0.0504');
    expect(toInput('money', 1_234_500_000)).toBe('1234.50');
    expect(fromInput(field('priceMicros'), '-1')).toEqual({ error: expect.stringMatching(/dollars/) });
    expect(fromInput(field('vcpuHourMicros'), '1001')).toEqual({ error: expect.stringMatching(/At most/) });
  });

  it('checks units and bounds as the API does', () => {
    expect(fromInput(field('maxCpu'), '0.5')).toEqual({ value: 0.5 });
    expect(fromInput(field('maxCpu'), '0.29')).toEqual({ value: 0.29 });
    expect(fromInput(field('maxCpu'), '0.125')).toEqual({ error: expect.stringMatching(/hundredths/) });
    expect(fromInput(field('maxCpu'), '65')).toEqual({ error: 'At most 64' });
    expect(fromInput(field('maxSandboxes'), '2.5')).toEqual({ error: 'Enter a whole number' });
    expect(fromInput(field('maxMemoryMb'), '0')).toEqual({ error: 'At least 1' });
    expect(fromInput(field('maxSnapshotBytes'), '10')).toEqual({ value: 10 * 1024 * 1024 });
    expect(toInput('mib', 10 * 1024 * 1024)).toBe('10');
    expect(fromInput(field('maxTimeoutSec'), '')).toEqual({ error: 'Enter a value' });
  });
});
