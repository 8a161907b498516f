/**
 * Mail bodies: plain text plus a small HTML version. Names come from people (org names, a
 * GitHub profile's display name, which never went through our name rules), so every value is
 * escaped before it enters HTML, and links are only ever our own public URL.
 */
export type RenderedMail = { subject: string; text: string; html: string };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Names in a subject or a text line: one line, no control characters, bounded. */
export function oneLine(s: string, max = 100): string {
  const flat = s.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function layout(title: string, paragraphs: string[], button: { label: string; url: string }, footer: string): string {
  const p = (html: string) => `<p style="margin:0 0 16px;font-size:15px;line-height:1.5;color:#18181b">${html}</p>`;
  return [
    '<!doctype html><html><body style="margin:0;padding:24px;background:#f4f4f5;font-family:system-ui,-apple-system,Segoe UI,sans-serif">',
    '<div style="max-width:520px;margin:0 auto;background:#ffffff;border:1px solid #e4e4e7;border-radius:8px;padding:28px">',
    `<h1 style="margin:0 0 16px;font-size:18px;color:#18181b">${title}</h1>`,
    ...paragraphs.map(p),
    `<p style="margin:24px 0"><a href="${escapeHtml(button.url)}" style="background:#4f46e5;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none;font-weight:600">${escapeHtml(button.label)}</a></p>`,
    p(`Or open this link: <a href="${escapeHtml(button.url)}" style="color:#4f46e5;word-break:break-all">${escapeHtml(button.url)}</a>`),
    `<p style="margin:24px 0 0;font-size:13px;color:#71717a">${footer}</p>`,
    '</div></body></html>',
  ].join('\n');
}

const ROLE_WORDS: Record<string, string> = {
  owner: 'an owner',
  admin: 'an admin',
  developer: 'a developer',
  viewer: 'a viewer',
  billing: 'a billing manager',
};

export function invitationMail(input: {
  orgName: string;
  inviter: string | null;
  role: string;
  url: string;
  expiresAt: Date;
}): RenderedMail {
  const org = oneLine(input.orgName);
  const inviter = input.inviter ? oneLine(input.inviter) : null;
  const role = ROLE_WORDS[input.role] ?? input.role;
  const until = input.expiresAt.toUTCString();
  const who = inviter ? `${inviter} invited you` : 'You are invited';
  const subject = inviter ? `${inviter} invited you to ${org} on Warren` : `You are invited to ${org} on Warren`;
  const text = [
    `${who} to join ${org} on Warren as ${role}.`,
    '',
    'Accept the invitation:',
    input.url,
    '',
    `The link works once and expires on ${until}. If you did not expect this invitation, you can ignore this e-mail.`,
  ].join('\n');
  const html = layout(
    `Join ${escapeHtml(org)} on Warren`,
    [`${inviter ? `<strong>${escapeHtml(inviter)}</strong> invited you` : 'You are invited'} to join <strong>${escapeHtml(org)}</strong> on Warren as ${escapeHtml(role)}.`],
    { label: 'Accept invitation', url: input.url },
    `The link works once and expires on ${escapeHtml(until)}. If you did not expect this invitation, you can ignore this e-mail.`,
  );
  return { subject, text, html };
}

export function passwordResetMail(input: { url: string; minutes: number }): RenderedMail {
  const subject = 'Reset your Warren password';
  const text = [
    'Someone (hopefully you) asked to reset the password of your Warren account.',
    '',
    'Choose a new password:',
    input.url,
    '',
    `The link works once and expires in ${input.minutes} minutes. Setting a new password signs you out everywhere.`,
    'If you did not ask for this, ignore this e-mail: your password stays as it is.',
  ].join('\n');
  const html = layout(
    'Reset your password',
    ['Someone (hopefully you) asked to reset the password of your Warren account.'],
    { label: 'Choose a new password', url: input.url },
    `The link works once and expires in ${input.minutes} minutes. Setting a new password signs you out everywhere. If you did not ask for this, ignore this e-mail: your password stays as it is.`,
  );
  return { subject, text, html };
}

export function spendMail(input: { orgName: string; kind: 'spend_alert' | 'spend_limit'; spent: string; threshold: string; month: string; url: string }): RenderedMail {
  const org = oneLine(input.orgName);
  const limit = input.kind === 'spend_limit';
  const subject = limit ? `${org} reached its spend limit on Warren` : `${org} crossed its spend alert on Warren`;
  const first = limit
    ? `${org} has spent ${input.spent} in ${input.month}, its monthly spend limit of ${input.threshold}. Its sandboxes are being stopped (files are kept) and new ones cannot start until the limit is raised or the month ends.`
    : `${org} has spent ${input.spent} in ${input.month}, past its alert threshold of ${input.threshold}.`;
  const text = [first, '', 'Review usage and billing:', input.url].join('\n');
  const html = layout(escapeHtml(limit ? 'Spend limit reached' : 'Spend alert'), [escapeHtml(first)], { label: 'Open billing', url: input.url }, 'You get this because you own or manage billing for this organization.');
  return { subject, text, html };
}

export function paymentFailedMail(input: { orgName: string; amount: string; invoiceNumber: string | null; attempt: number; payUrl: string | null; billingUrl: string }): RenderedMail {
  const org = oneLine(input.orgName);
  const invoice = input.invoiceNumber ? `invoice ${oneLine(input.invoiceNumber, 60)}` : 'an invoice';
  const subject = `Payment failed for ${org} on Warren`;
  const first = `We could not collect ${input.amount} for ${invoice} of ${org} (attempt ${input.attempt}). Stripe will try again; to avoid an interruption, update the payment method or pay the invoice now.`;
  const text = [first, '', input.payUrl ? `Pay the invoice: ${input.payUrl}` : null, `Billing: ${input.billingUrl}`].filter((l) => l !== null).join('\n');
  // The button opens Warren's Billing page (a link we own); Stripe's invoice page is in the text.
  const html = layout('Payment failed', [escapeHtml(first)], { label: 'Open billing', url: input.billingUrl }, 'You get this because you own or manage billing for this organization.');
  return { subject, text, html };
}
