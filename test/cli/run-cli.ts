/**
 * The command line run in this process (main(), as bin/switchyard calls it) with its output
 * captured: the same exit codes, stdout and stderr as a spawned CLI, without a process start per call.
 */
import { PassThrough, Readable } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString("utf8");
}

/** `switchyard ...argv`, with `input` on standard input and `env` as the environment. */
export async function runCli(argv: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out = collect(stdout);
  const err = collect(stderr);
  const code = await main({ argv, stdout, stderr, stdin: Readable.from([Buffer.from(options.input ?? "")]), env: options.env ?? {} });
  return { code, stdout: out(), stderr: err() };
}
