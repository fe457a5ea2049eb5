/** Passwords hashed with scrypt (salted, compared in constant time) and JWTs (HS256, via jose) naming user and client. */
import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';

const KEY_LENGTH = 64;

function scryptAsync(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, { N: 16384, r: 8, p: 1 }, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/** `scrypt$<salt b64>$<hash b64>` */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password, salt);
  return `scrypt$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scryptAsync(password, Buffer.from(salt, 'base64'));
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export interface TokenClaims {
  userID: string;
  clientID: string;
}

export async function signToken(secret: Uint8Array, claims: TokenClaims, lifetimeSeconds: number): Promise<string> {
  return new SignJWT({ cid: claims.clientID })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.userID)
    .setIssuedAt()
    .setExpirationTime(`${lifetimeSeconds}s`)
    .sign(secret);
}

/** The claims of a valid token, or undefined for a bad, expired or foreign one. */
export async function verifyToken(secret: Uint8Array, token: string): Promise<TokenClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string' || typeof payload.cid !== 'string') return undefined;
    return { userID: payload.sub, clientID: payload.cid };
  } catch {
    return undefined;
  }
}
