import type { IsolationLevel } from '@/db/schema/sandboxes';
import { AppError } from '@/lib/errors';

/**
 * The level a new sandbox runs at: the create's own choice, else its template's (or, for a fork,
 * the level of the sandbox its snapshot was taken of), else the org's default (gvisor when its plan requires it, container otherwise). A plan that requires gVisor
 * refuses `container` whoever asked for it (403 isolation_required, before anything is stored):
 * a weaker level than the plan promises is never given silently.
 */
export function isolationFor(
  asked: IsolationLevel | undefined,
  inherited: IsolationLevel | null,
  plan: { name: string; requiredIsolation: 'gvisor' | null },
): IsolationLevel {
  const level = asked ?? inherited ?? plan.requiredIsolation ?? 'container';
  if (plan.requiredIsolation === 'gvisor' && level !== 'gvisor') {
    const who = asked ? 'this create asks for' : 'its template (or the snapshot it forks) has';
    throw new AppError(
      'isolation_required',
      `Your organization's plan (${plan.name}) requires gVisor isolation, but ${who} container; create with isolation gvisor (or leave it out)`,
      { required: 'gvisor', requested: level },
    );
  }
  return level;
}
