import { describe, expect, it } from 'vitest';
import { parseUsd, usd } from '@/lib/billing/money';
import { formatQuota } from './quota-format';

describe('quota and money formatting', () => {
  it('reads each unit as people do', () => {
    expect(formatQuota('vcpu', 1)).toBe('1 vCPU');
    expect(formatQuota('vcpu', 2.5)).toBe('2.5 vCPUs');
    expect(formatQuota('mb', 512)).toBe('512 MiB');
    expect(formatQuota('mb', 32768)).toBe('32 GiB');
    expect(formatQuota('bytes', 10 * 1024 ** 3)).toBe('10 GiB');
    expect(formatQuota('seconds', 86_400)).toBe('1 d');
    expect(formatQuota('seconds', 900)).toBe('15 min');
    expect(formatQuota('per_minute', 3000)).toBe('3,000/min');
    expect(formatQuota('count', 10)).toBe('10');
  });

  it('shows micro-dollars exactly, and parses dollars typed in a form', () => {
    expect(usd(5_000_000)).toBe('$5.00');
    expect(usd(1234)).toBe('$0.001234');
    expect(usd(1_234_500_000)).toBe('$1,234.50');
    expect(usd(-2_500_000)).toBe('-$2.50');
    expect(parseUsd('12.5')).toBe(12_500_000);
    expect(parseUsd('$0.000001')).toBe(1);
    expect(parseUsd(' 7 ')).toBe(7_000_000);
    for (const bad of ['', 'abc', '-1', '1.0000001', '1e3', '1,000']) expect(parseUsd(bad), bad).toBeNull();
  });
});
