import { CredentialsSignin } from 'next-auth';

/**
 * Sign-in failures the form can tell apart. The code travels to the browser, so it says only
 * "wrong e-mail or password" and never which of the two was wrong.
 */
export class InvalidCredentials extends CredentialsSignin {
  code = 'invalid_credentials';
}

export class TooManyAttempts extends CredentialsSignin {
  code = 'rate_limited';
  /** The limiter's sentence, with how long to wait; shown as is by the sign-in form. */
  constructor(readonly waitMessage?: string) {
    super(waitMessage);
  }
}

/** The password was right but a platform admin disabled the account: say so, it is not a typo. */
export class AccountDisabled extends CredentialsSignin {
  code = 'account_disabled';
}

/** The password was right and the account has two-factor on: the form asks for a code next. */
export class TwoFactorRequired extends CredentialsSignin {
  code = 'two_factor_required';
}

export class InvalidTwoFactorCode extends CredentialsSignin {
  code = 'invalid_two_factor_code';
}

const MESSAGES: Record<string, string> = {
  account_disabled: 'This account is disabled. Contact your platform admin.',
  invalid_credentials: 'Wrong e-mail or password.',
  two_factor_required: 'Enter the 6-digit code from your authenticator app.',
  invalid_two_factor_code: 'That code is not valid. Use the current code from your authenticator app, or a recovery code.',
  rate_limited: 'Too many sign-in attempts. Wait a few minutes, then try again.',
  // Auth.js error types that reach /sign-in?error=… after an OAuth round trip.
  OAuthAccountNotLinked:
    'An account with this e-mail already exists. Sign in with your password, the way you signed up.',
  AccessDenied: 'Access was denied.',
  Configuration: 'Sign-in is misconfigured on this server. Ask your administrator.',
  Verification: 'The sign-in link is no longer valid.',
};

export function signInErrorMessage(codeOrType: string | undefined | null): string | null {
  if (!codeOrType) return null;
  return MESSAGES[codeOrType] ?? 'Could not sign you in. Try again.';
}
