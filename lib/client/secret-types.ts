/** What the console shows of a secret (GET /api/v1/secrets): never a value. */
export type Secret = {
  name: string;
  description: string;
  hosts: string[];
  kind: 'env' | 'egress';
  placeholder: string | null;
  fingerprint: string;
  last2: string | null;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  lastUsedAt: string | null;
  usedBy: { sandboxes: number; shares: number; templates: number };
};

export type SecretUsage = {
  sandboxes: Array<{ id: string; state: string }>;
  shares: Array<{ id: string; label: string | null }>;
  templates: Array<{ id: string; name: string }>;
};
