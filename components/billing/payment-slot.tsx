import { CreditCard } from 'lucide-react';
import type { BillingResponse } from '@/lib/client/billing-types';

/**
 * ── STRIPE SLOT ──────────────────────────────────────────────────────────────────────────
 * Where "Upgrade", "Manage payment" and the invoices go. The payment integration fills this
 * component in (Checkout / the customer portal, a list of invoices) and sets the org's payment
 * method through lib/billing/org-admin.ts#setPaymentMethod. Until then it says how things
 * stand in local mode: credit only, plans changed by the platform admin.
 * ─────────────────────────────────────────────────────────────────────────────────────────
 */
export function PaymentSlot({ billing }: { billing: BillingResponse }) {
  return (
    <div data-testid="payment-slot" className="flex items-start gap-3 rounded-md border border-dashed border-zinc-300 bg-zinc-50 px-4 py-3 text-sm text-zinc-600">
      <CreditCard className="mt-0.5 size-4 shrink-0 text-zinc-400" aria-hidden />
      <p>
        {billing.payment.hasPaymentMethod
          ? 'A payment method is on file: usage beyond your credit is invoiced.'
          : 'No payment method: usage is paid from credit only, and sandboxes stop when it runs out.'}{' '}
        To change plans, ask your platform admin.
      </p>
    </div>
  );
}
