import { signInWithProvider } from '@/app/(auth)/actions';
import { Button } from '@/components/ui/button';

export type OAuthProvider = { id: 'github' | 'google'; name: string };

/** Rendered only for the providers whose client id and secret are configured. */
export function OAuthButtons({ providers, callbackUrl }: { providers: OAuthProvider[]; callbackUrl: string }) {
  if (providers.length === 0) return null;
  return (
    <div className="grid gap-3">
      <div className="grid gap-2">
        {providers.map((p) => (
          <form key={p.id} action={signInWithProvider}>
            <input type="hidden" name="provider" value={p.id} />
            <input type="hidden" name="callbackUrl" value={callbackUrl} />
            <Button type="submit" variant="outline" className="w-full">
              Continue with {p.name}
            </Button>
          </form>
        ))}
      </div>
      <div className="flex items-center gap-3 text-xs text-zinc-400">
        <span className="h-px flex-1 bg-zinc-200" />
        or
        <span className="h-px flex-1 bg-zinc-200" />
      </div>
    </div>
  );
}
