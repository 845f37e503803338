/**
 * Identifiers in the providers' formats: msg_01…, toolu_01…, req_011C…, msgbatch_01…, file_011C….
 * Unique ids come from a per-instance generator seeded once from the system's randomness;
 * content-derived ids (tool_use) come from the request hash so a repeated request repeats them.
 */
import { randomBytes } from "node:crypto";
import { SeededRandom } from "./seeded-random.js";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

export function base62(random: SeededRandom, length: number): string {
  let text = "";
  for (let index = 0; index < length; index += 1) text += BASE62[random.int(62)];
  return text;
}

export class IdGenerator {
  private readonly random = new SeededRandom(randomBytes(16).toString("hex"));

  message(prefix = "msg_01"): string {
    return `${prefix}${base62(this.random, 22)}`;
  }

  request(): string {
    return `req_011C${base62(this.random, 20)}`;
  }

  batch(): string {
    return `msgbatch_01${base62(this.random, 22)}`;
  }

  /** Files API ids: file_011CNha8iCJcU1wXNR6q4V8w (https://platform.claude.com/docs/en/build-with-claude/files). */
  file(): string {
    return `file_011C${base62(this.random, 20)}`;
  }

  /** AWS request ids are UUIDs. */
  awsRequest(): string {
    const hex = Array.from({ length: 32 }, () => "0123456789abcdef"[this.random.int(16)]).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
  }
}

/** A tool_use id that depends only on the seed it is given. */
export function toolUseId(seed: string, index: number, prefix = "toolu_01"): string {
  return `${prefix}${base62(new SeededRandom(`${seed}:tool:${index}`), 22)}`;
}
