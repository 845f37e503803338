/** The sign-in form: the admin key, exchanged for a session cookie. */
import { escapeHtml } from "../format.js";
import type { PageOptions } from "../layout.js";

export type LoginMessage = "wrong_key" | "signed_out" | "expired" | "disabled" | undefined;

const MESSAGES: Record<Exclude<LoginMessage, undefined>, string> = {
  wrong_key: "That is not the admin key. Use the value of the gateway's admin key variable (switchyard serve prints it when it generates one).",
  signed_out: "You are signed out.",
  expired: "Sign in again: the session has expired or was never started.",
  disabled: "The dashboard is disabled: the gateway has no admin key. Set the environment variable named by admin_key_env in the config, then restart.",
};

/** Only paths inside the dashboard may be returned to after signing in. */
export function safeNext(next: unknown): string {
  return typeof next === "string" && /^\/dashboard(?:[/?]|$)/.test(next) && !next.includes("//") ? next : "/dashboard";
}

export function loginPage(next: string, message: LoginMessage, adminKeyEnv: string): PageOptions {
  const notice = message
    ? `<div class="${message === "signed_out" ? "note" : "error-box"}" role="alert" data-login-message="${message}">${escapeHtml(MESSAGES[message].replace("admin_key_env", `admin_key_env (${adminKeyEnv})`))}</div>`
    : "";
  const body =
    `<div class="login"><h1>Switchyard dashboard</h1><p class="note">Spend, savings, latency and budgets of this gateway. Sign in with the admin key.</p>${notice}` +
    `<form method="post" action="/dashboard/login"><input type="hidden" name="next" value="${escapeHtml(next)}">` +
    `<label for="key">Admin key</label><input id="key" name="key" type="password" autocomplete="current-password" required autofocus>` +
    `<button type="submit" class="primary" data-action="sign-in">Sign in</button></form>` +
    `<p class="note">The key is checked once and exchanged for a session cookie (HttpOnly, SameSite=Strict, 12 hours) that does not contain it. ` +
    `Scripts can instead send it as <code>Authorization: Bearer</code> or <code>x-api-key</code>.</p></div>`;
  return { title: "Sign in", active: null, body, signedIn: false };
}
