import { hash, verify, Algorithm } from '@node-rs/argon2';

// argon2id with OWASP's minimum profile (19 MiB, 2 passes): ~12 ms a hash on this machine class.
const OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export const MIN_PASSWORD_LENGTH = 8;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against this when the email is unknown keeps sign-in timing the same for both cases.
let dummyHash: Promise<string> | null = null;
export async function verifyAgainstNobody(password: string): Promise<false> {
  dummyHash ??= hashPassword('opsbase-timing-equaliser');
  await verifyPassword(await dummyHash, password);
  return false;
}
