/** Billing's settings from the environment (documented in the README's configuration table). */
function envSeconds(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number of seconds ≥ ${min}, got ${raw}`);
  return n;
}

/** How long an org that cannot pay keeps its sandboxes running (a top-up or a raised limit in
 * that time stops nothing). A suspension has no grace. */
export const graceMsFromEnv = () => envSeconds('WARREN_BILLING_GRACE_SEC', 60, 0) * 1000;

/** How often the enforcer looks at every org that is spending. */
export const enforceEveryMsFromEnv = () => envSeconds('WARREN_BILLING_ENFORCE_SEC', 10, 1) * 1000;
