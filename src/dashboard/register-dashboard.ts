/**
 * The dashboard's routes under /dashboard, on the gateway's own server: server-rendered pages
 * behind the admin key (a session cookie from the login form, or the key as a header). Pages
 * read the ledger through spend queries and the live health book; the planner page runs the
 * planner in a worker thread.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { GatewayState } from "../gateway/state.js";
import type { KeyStore } from "../ledger/ledger.js";
import { lingerIfUnread } from "../util/lingering-close.js";
import type { DashboardContext, Query } from "./context.js";
import { exampleWorkload } from "./example-workload.js";
import { escapeHtml } from "./format.js";
import { NAVIGATION, sendPage, type PageOptions } from "./layout.js";
import { budgetsPage } from "./pages/budgets-page.js";
import { cachePage } from "./pages/cache-page.js";
import { latencyPage } from "./pages/latency-page.js";
import { loginPage, safeNext, type LoginMessage } from "./pages/login-page.js";
import { MAX_WORKLOAD_BYTES, plannerPage, readPlannerForm, TOO_LARGE } from "./pages/planner-page.js";
import { savingsPage } from "./pages/savings-page.js";
import { spendPage } from "./pages/spend-page.js";
import { PlanRunner, type PlanOutcome } from "./plan-runner.js";
import { presentedSecret, sameSecret } from "../gateway/authenticate.js";
import { clearedCookie, isSignedIn, newSession, sessionCookie } from "./session.js";

export interface DashboardOptions {
  /** Key names and budgets (the gateway's key cache holds only active keys, by hash). */
  keys: KeyStore;
  /** The user's --catalog files, so the planner prices with the gateway's catalog. */
  catalogFiles?: string[];
  /** The planner form's starting text; default: from examples/workloads/. */
  exampleWorkload?: { name: string; text: string };
  /** Planner time limit (default 30 s). */
  planTimeoutMs?: number;
}

const PUBLIC_PATHS = new Set(["/dashboard/login"]);

/** The planner form's answer: a plan, or what the person must change (the workload, or a date with no prices), or the planner's own failure. */
const PLAN_STATUS: Record<PlanOutcome["kind"], number> = { plan: 200, valid: 200, invalid: 400, unpriced: 400, failed: 500 };

function pathOf(request: FastifyRequest): string {
  return request.url.split("?")[0] ?? request.url;
}

function queryOf(request: FastifyRequest): Query {
  const query = (request.query ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(query).map(([name, value]) => [name, typeof value === "string" ? value : undefined]));
}

/**
 * Whether the browser reached the dashboard over HTTPS: directly, or through a proxy that ended TLS
 * and says so in X-Forwarded-Proto (the usual set-up: the gateway itself serves plain HTTP). The
 * cookie is then Secure. Trusting the header costs nothing: a client that lies only keeps its own
 * browser from sending the cookie over plain HTTP.
 */
function cameOverHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers["x-forwarded-proto"];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",", 1)[0]?.trim().toLowerCase();
  return request.protocol === "https" || first === "https";
}

/**
 * No Origin (a script, curl), this very host, or the host a proxy in front says the browser asked
 * for (the first X-Forwarded-Host: a proxy that rewrites Host passes the original there, and a
 * form posted from another site cannot carry the header); "null" (a sandboxed frame) and any other
 * origin are not. Hosts compare as URLs do: any case, a default port written or not.
 */
function fromThisOrigin(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return false;
  }
  const forwarded = request.headers["x-forwarded-host"];
  const hosts = [request.headers.host, (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(",", 1)[0]?.trim()];
  return hosts.some((host) => host !== undefined && host !== "" && hostOf(from.protocol, host) === from.host);
}

/** A Host header's value as `new URL` writes a host for `protocol` (lower case, no default port); undefined if it is not one. */
function hostOf(protocol: string, host: string): string | undefined {
  try {
    const url = new URL(`${protocol}//${host}`);
    return url.pathname === "/" && url.search === "" && url.username === "" ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/** A dashboard URL that names no page: the dashboard's own page, with its navigation, not the API's JSON error. */
function notFoundPage(path: string): PageOptions {
  const pages = NAVIGATION.map((item) => `<a href="${item.href}">${escapeHtml(item.label)}</a>`).join(", ");
  return { title: "Not found", active: null, body: `<h1>No such page</h1><div class="error-box" role="alert" data-not-found>There is no dashboard page at <code>${escapeHtml(path)}</code>.</div><p>The pages are ${pages}.</p>` };
}

export function registerDashboard(app: FastifyInstance, state: GatewayState, options: DashboardOptions): void {
  const planner = new PlanRunner({ extraFiles: options.catalogFiles ?? [], ...(options.planTimeoutMs ? { timeoutMs: options.planTimeoutMs } : {}) });
  const context: DashboardContext = { state, keys: options.keys, planner, exampleWorkload: options.exampleWorkload ?? exampleWorkload() };
  const adminKeyEnv = state.config.config.admin_key_env;
  app.addHook("onClose", async () => planner.close());

  const page = (handler: (request: FastifyRequest) => Promise<PageOptions> | PageOptions) => async (request: FastifyRequest, reply: FastifyReply) =>
    sendPage(reply, await handler(request));

  void app.register(
    async (scope) => {
      // A form's body is URL-encoded: up to three bytes per byte of workload (CRLF, colons), so the
      // encoded limit is three times the workload's; the workload itself is measured decoded.
      scope.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 3 * MAX_WORKLOAD_BYTES + 4096 }, (_request, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });

      scope.setErrorHandler((error: Error & { code?: string; statusCode?: number }, request, reply) => {
        lingerIfUnread(request, reply);
        if (error.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
          return sendPage(reply, plannerPage(context, { workload: "", at: "" }, undefined, [{ field: "workload", message: TOO_LARGE }]), 413);
        }
        const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
        return sendPage(
          reply,
          { title: "Error", active: null, body: `<h1>Something went wrong</h1><div class="error-box" role="alert">${escapeHtml(`${request.method} ${pathOf(request)}: ${error.message}`)}</div>` },
          status,
        );
      });

      scope.addHook("onRequest", async (request, reply) => {
        // A form posted from another origin (another site, or another port on this host, which
        // SameSite cookies do not tell apart) is refused; browsers send Origin on every POST.
        if (request.method === "POST" && !fromThisOrigin(request)) {
          return sendPage(reply, { title: "Refused", active: null, body: `<h1>Refused</h1><div class="error-box" role="alert">A dashboard form was posted from another origin (${escapeHtml(String(request.headers.origin))}).</div>` }, 403);
        }
        if (PUBLIC_PATHS.has(pathOf(request))) return;
        if (isSignedIn(state.adminKey, request.headers, state.now())) return;
        // A script that sent a key which is not the admin key is told so (401), not sent to a form.
        if (presentedSecret(request.headers) !== undefined) {
          return sendPage(reply.header("www-authenticate", 'Bearer realm="switchyard dashboard"'), loginPage(safeNext(request.url), state.adminKey ? "wrong_key" : "disabled", adminKeyEnv), 401);
        }
        if (request.method === "GET" || request.method === "HEAD") {
          return reply.code(303).header("location", `/dashboard/login?next=${encodeURIComponent(request.url)}`).send();
        }
        return sendPage(reply, loginPage(safeNext(request.url), state.adminKey ? "expired" : "disabled", adminKeyEnv), 401);
      });

      scope.get("/login", async (request, reply) => {
        const query = queryOf(request);
        const message: LoginMessage = !state.adminKey ? "disabled" : query.signed_out ? "signed_out" : undefined;
        return sendPage(reply, loginPage(safeNext(query.next), message, adminKeyEnv));
      });

      scope.post("/login", async (request, reply) => {
        const fields = (request.body ?? {}) as Record<string, unknown>;
        const next = safeNext(fields.next);
        if (!state.adminKey) return sendPage(reply, loginPage(next, "disabled", adminKeyEnv), 403);
        if (typeof fields.key !== "string" || !sameSecret(state.adminKey, fields.key.trim())) return sendPage(reply, loginPage(next, "wrong_key", adminKeyEnv), 401);
        return reply
          .code(303)
          .header("set-cookie", sessionCookie(newSession(state.adminKey, state.now()), cameOverHttps(request)))
          .header("location", next)
          .send();
      });

      scope.post("/logout", async (request, reply) =>
        reply.code(303).header("set-cookie", clearedCookie(cameOverHttps(request))).header("location", "/dashboard/login?signed_out=1").send(),
      );

      // After the sign-in check (a hook of this scope): only someone signed in learns what is not here.
      scope.setNotFoundHandler(async (request, reply) => sendPage(reply, notFoundPage(pathOf(request)), 404));

      scope.get("/", page((request) => spendPage(context, queryOf(request))));
      scope.get("/savings", page((request) => savingsPage(context, queryOf(request))));
      scope.get("/cache", page((request) => cachePage(context, queryOf(request))));
      scope.get("/latency", page(() => latencyPage(context)));
      scope.get("/budgets", page(() => budgetsPage(context)));
      scope.get(
        "/planner",
        page(() => {
          planner.warm();
          return plannerPage(context, undefined, undefined);
        }),
      );
      scope.post("/planner", async (request, reply) => {
        const { values, problems, tooLarge } = readPlannerForm(request.body);
        if (problems.length > 0) {
          // Every field's problems at once: a workload the form found nothing wrong with is checked
          // by the planner (not planned), so that its issues show beside the date's.
          const checked = problems.some((problem) => problem.field === "workload") ? undefined : await planner.check(values.workload);
          return sendPage(reply, plannerPage(context, values, checked, problems), tooLarge ? 413 : checked?.kind === "failed" ? 500 : 400);
        }
        const outcome = await planner.run(values.workload, values.at || undefined);
        return sendPage(reply, plannerPage(context, values, outcome), PLAN_STATUS[outcome.kind]);
      });
    },
    { prefix: "/dashboard" },
  );
}
