'use client';

import * as React from 'react';
import { ApiError, api, errorMessage } from './api';

type Request = { path: string; method: 'POST' | 'PATCH' | 'PUT' | 'DELETE'; body?: unknown; org?: string };

/**
 * The console's form pattern: submit → one request → field errors inline (from the API's
 * validation `issues`) or a form-level error, and a pending flag that disables the submit.
 * `build` may return `{ errors }` to report client-side problems without calling the API.
 */
export function useApiForm<T>({
  fields = [],
  onSuccess,
}: {
  /** The inputs the form shows; an issue on any other path is shown as the form-level error. */
  fields?: string[];
  onSuccess: (data: T) => void | Promise<void>;
}) {
  const [pending, setPending] = React.useState(false);
  const [fieldErrors, setFieldErrors] = React.useState<Record<string, string>>({});
  const [formError, setFormError] = React.useState<string | null>(null);

  const reset = React.useCallback(() => {
    setFieldErrors({});
    setFormError(null);
  }, []);

  const submit =
    (build: (data: FormData) => Request | { errors: Record<string, string> }) =>
    async (e: React.FormEvent<HTMLFormElement>) => {
      e.preventDefault();
      if (pending) return;
      const req = build(new FormData(e.currentTarget));
      if ('errors' in req) {
        setFieldErrors(req.errors);
        setFormError(null);
        return;
      }
      const r = req;
      reset();
      setPending(true);
      try {
        const data = await api<T>(r.path, { method: r.method, body: r.body, org: r.org });
        await onSuccess(data);
      } catch (err) {
        const known: Record<string, string> = {};
        let other: string | null = null;
        for (const [key, message] of Object.entries(err instanceof ApiError ? err.fieldErrors() : {})) {
          if (fields.includes(key)) known[key] = message;
          else other ??= message;
        }
        setFieldErrors(known);
        if (other || Object.keys(known).length === 0) setFormError(other ?? errorMessage(err));
      } finally {
        setPending(false);
      }
    };

  return { submit, pending, fieldErrors, formError, reset, setFormError };
}
