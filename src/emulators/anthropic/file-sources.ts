/**
 * A Messages (or count_tokens) request naming uploaded files: an image or document whose
 * `source.type` is "file", or a `container_upload` block, anywhere in its messages (a tool
 * result's content and a document's content source included). The emulator answers as the API
 * does: the Files beta header is needed ("Messages requests that reference a file do need it", the
 * Files guide), and a file_id the workspace does not hold is "File `…` not found." (the guide's
 * example error). Neither wording was seen on a Messages request: docs/EMULATORS.md says so.
 */
import type { FileStore } from "./file-store.js";
import { fileNotFound } from "./files-route.js";

export const FILES_BETA = "files-api-2025-04-14";

type Block = { type?: unknown; source?: unknown; content?: unknown; file_id?: unknown };

/** Why the request cannot be served for a file it names (status and message), or undefined. */
export function fileSourceProblem(messages: readonly unknown[], betas: readonly string[], files: FileStore): { status: 400 | 404; message: string } | undefined {
  for (let index = 0; index < messages.length; index += 1) {
    const content = (messages[index] as { content?: unknown } | null)?.content;
    const problem = inBlocks(content, `messages.${index}.content`, betas, files);
    if (problem) return problem;
  }
  return undefined;
}

function inBlocks(content: unknown, path: string, betas: readonly string[], files: FileStore): { status: 400 | 404; message: string } | undefined {
  if (!Array.isArray(content)) return undefined;
  for (let index = 0; index < content.length; index += 1) {
    const block = content[index] as Block | null;
    if (typeof block !== "object" || block === null) continue;
    const source = typeof block.source === "object" && block.source !== null ? (block.source as Block) : undefined;
    const at = `${path}.${index}`;
    const named =
      (block.type === "image" || block.type === "document") && source?.type === "file"
        ? { path: `${at}.source.file_id`, fileId: source.file_id }
        : block.type === "container_upload"
          ? { path: `${at}.file_id`, fileId: block.file_id }
          : undefined;
    if (named) {
      if (!betas.includes(FILES_BETA)) return { status: 400, message: `${named.path}: file sources require the anthropic-beta header ${FILES_BETA}` };
      if (typeof named.fileId !== "string" || named.fileId === "") return { status: 400, message: `${named.path}: Field required` };
      if (!files.has(named.fileId)) return { status: 404, message: fileNotFound(named.fileId) };
    }
    const nested = inBlocks(block.content, `${at}.content`, betas, files) ?? inBlocks(source?.content, `${at}.source.content`, betas, files);
    if (nested) return nested;
  }
  return undefined;
}
