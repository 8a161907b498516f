import { hash, verify } from '@node-rs/argon2';

/**
 * Password hashing. @node-rs/argon2 defaults to argon2id (19 MiB, t=2, p=1: the OWASP
 * baseline), so the options stay implicit; the PHC string records them, so raising them later
 * still verifies old hashes.
 */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Never throws on a malformed stored hash: a corrupt row must read as "wrong password". */
export async function verifyPassword(passwordHash: string | null | undefined, password: string): Promise<boolean> {
  if (!passwordHash) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// A real hash of a random string: verifying against it when the user does not exist costs the
// same time as a real check, so response times do not reveal which e-mails have accounts.
let dummy: Promise<string> | undefined;
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hash(`no-such-user-${Math.random()}`);
  await verifyPassword(await dummy, password);
}
