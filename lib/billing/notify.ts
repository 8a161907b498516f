import { logger } from '@/lib/logger';
import { usd } from './money';

const log = logger.child({ component: 'billing' });

export type SpendNotice = {
  kind: 'spend_alert' | 'spend_limit';
  /** The month, `2026-12`. */
  periodKey: string;
  thresholdMicros: number;
  spentMicros: number;
};

/**
 * Called exactly once per org, month and threshold when the org's spend crosses its alert
 * threshold or reaches its spend limit (lib/billing/spend-notices.ts guarantees the once, across
 * consoles). THE E-MAIL GOES HERE: the mail engineer sends it to the org's owners and billing
 * members from this function. It must not throw for a failed mail (the notice is already
 * recorded and audited; a throw is only logged).
 */
export async function onSpendAlert(orgId: string, notice: SpendNotice): Promise<void> {
  log.info(
    { orgId, ...notice },
    `${notice.kind === 'spend_limit' ? 'spend limit reached' : 'spend alert crossed'}: ${usd(notice.spentMicros)} of ${usd(notice.thresholdMicros)} in ${notice.periodKey}`,
  );
}
