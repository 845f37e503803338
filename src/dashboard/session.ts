/**
 * Who may see the dashboard: whoever holds the admin key, either sent as a header (x-api-key or
 * Authorization: Bearer, for scripts) or exchanged once on the login form for a session cookie.
 *
 * The cookie never holds the key. It holds an expiry and an HMAC of it keyed by the admin key,
 * so it needs no server-side store, survives a restart, and stops working when the key changes.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { presentedSecret, sameSecret } from "../gateway/authenticate.js";

export const SESSION_COOKIE = "switchyard_session";
export const SESSION_HOURS = 12;

function signature(adminKey: string, expires: number): string {
  return createHmac("sha256", adminKey).update(`switchyard-dashboard-session:${expires}`).digest("base64url");
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}


export function newSession(adminKey: string, now: number): string {
  const expires = now + SESSION_HOURS * 3_600_000;
  return `${expires}.${signature(adminKey, expires)}`;
}

export function sessionCookie(value: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=${SESSION_HOURS * 3600}${secure ? "; Secure" : ""}`;
}

export function clearedCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/dashboard; HttpOnly; SameSite=Strict; Max-Age=0${secure ? "; Secure" : ""}`;
}

function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const header = headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return rest.join("=");
  }
  return undefined;
}

/** True when the request carries the admin key or a live session cookie signed with it. */
export function isSignedIn(adminKey: string | undefined, headers: IncomingHttpHeaders, now: number): boolean {
  if (!adminKey) return false;
  const secret = presentedSecret(headers);
  if (secret !== undefined) return sameSecret(adminKey, secret);
  const value = cookieValue(headers, SESSION_COOKIE);
  if (!value) return false;
  const [expiresText, mac] = value.split(".");
  const expires = Number(expiresText);
  if (!Number.isSafeInteger(expires) || expires <= now || !mac) return false;
  return sameText(mac, signature(adminKey, expires));
}
