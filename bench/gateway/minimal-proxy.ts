/**
 * The floor of the gateway benchmark: the least a Node gateway must do, as a separate process.
 * node:http in, the body read and JSON.parse'd (any gateway must read `model` to route), the same
 * bytes forwarded with undici on a keep-alive Pool, the upstream's status, headers and body chunks
 * written back as they arrive. No auth, no pricing, no ledger: what Switchyard and Portkey spend
 * beyond this is their own work.
 *
 * node dist/bench/gateway/minimal-proxy.js --upstream http://127.0.0.1:PORT [--port 0]
 * Prints "minimal proxy listening on http://127.0.0.1:PORT". Stops on SIGINT/SIGTERM.
 */
import { createServer } from "node:http";
import { Pool } from "undici";
import { benchFlags, flagError } from "./flags.js";

const { values } = benchFlags({ options: { upstream: { type: "string" }, port: { type: "string" }, host: { type: "string" } } });
if (!values.upstream) flagError("--upstream URL is required");
const pool = new Pool(values.upstream, { connections: 256, pipelining: 1, keepAliveTimeout: 60_000 });
const HOP_BY_HOP = new Set(["connection", "keep-alive", "transfer-encoding", "content-length", "host"]);

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    const body = Buffer.concat(chunks);
    let model: unknown;
    try {
      model = (JSON.parse(body.toString("utf8")) as { model?: unknown }).model;
    } catch {
      model = undefined;
    }
    if (typeof model !== "string") {
      response.writeHead(400, { "content-type": "application/json" }).end('{"type":"error","error":{"type":"invalid_request_error","message":"model is required"}}');
      return;
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) if (typeof value === "string" && !HOP_BY_HOP.has(name)) headers[name] = value;
    pool.request({ path: request.url ?? "/", method: "POST", headers, body }).then(
      (upstream) => {
        const out: Record<string, string | string[]> = {};
        for (const [name, value] of Object.entries(upstream.headers)) if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
        response.writeHead(upstream.statusCode, out);
        upstream.body.on("data", (chunk: Buffer) => response.write(chunk));
        upstream.body.on("end", () => response.end());
        upstream.body.on("error", () => response.destroy());
      },
      (error: Error) => {
        response.writeHead(502, { "content-type": "application/json" }).end(JSON.stringify({ type: "error", error: { type: "api_error", message: error.message } }));
      },
    );
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port ?? 0), values.host ?? "127.0.0.1", () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  process.stdout.write(`minimal proxy listening on http://${values.host ?? "127.0.0.1"}:${port}\n`);
});
const stop = () => {
  server.close();
  server.closeAllConnections();
  void pool.close();
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
