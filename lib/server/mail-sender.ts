import { smtpSettings } from '@/lib/mail/config';
import { startMailSender } from '@/lib/mail/sender';
import type { BootHook } from './boot';

/**
 * Mail delivery in the background (lib/mail/sender.ts), only when SMTP_URL is set: without it
 * every message is an outbox row that platform admins read under /admin/mail.
 */
export const mailSender: BootHook = async ({ log }) => {
  const smtp = smtpSettings();
  if (!smtp) {
    log.info('mail: no SMTP_URL, messages are kept in the outbox (Platform admin → Mail)');
    return undefined;
  }
  // The label is host:port only; the URL holds a password and is never logged.
  log.info({ smtp: smtp.label }, 'mail: delivering by SMTP');
  return startMailSender({ log: log.child({ component: 'mail-sender' }) });
};
