import { AlertTriangle, Inbox, MailCheck } from 'lucide-react';
import type { MailStatus } from '@/lib/client/types';

/** What happened to an invitation's e-mail, in the words the inviter needs to act on it. */
const TEXT: Record<MailStatus, (to: string) => string> = {
  sent: (to) => `We e-mailed the link to ${to}.`,
  queued: (to) =>
    `The mail server did not take the e-mail to ${to} yet; Warren keeps retrying. Share the link yourself if it is urgent.`,
  failed: (to) => `The e-mail to ${to} could not be delivered. Share the link yourself.`,
  outbox: (to) =>
    `This Warren has no mail server configured, so the e-mail to ${to} was queued in the outbox for platform admins. Share the link yourself.`,
};

export function MailNotice({ status, to }: { status: MailStatus; to: string }) {
  const ok = status === 'sent';
  const Icon = ok ? MailCheck : status === 'outbox' ? Inbox : AlertTriangle;
  return (
    <p
      data-testid="invitation-mail-status"
      data-status={status}
      className={`flex items-start gap-2 rounded-md px-3 py-2 text-sm ${ok ? 'bg-emerald-50 text-emerald-800' : 'bg-zinc-100 text-zinc-700'}`}
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      {TEXT[status](to)}
    </p>
  );
}
