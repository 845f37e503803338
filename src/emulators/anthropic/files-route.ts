/**
 * The Files API: upload (multipart, the file in a part named `file`), list, metadata, download and
 * delete (https://platform.claude.com/docs/en/build-with-claude/files; shapes from the SDK's
 * FileMetadata, DeletedFile and the list page). Lists page as the API reference shows
 * ({data, has_more, first_id, last_id}, `limit`, `after_id`, `before_id`) and also as
 * @anthropic-ai/sdk 1.x pages them (`next_page`, sent back as `page`).
 */
import type { FastifyInstance } from "fastify";
import { rawBody } from "../shared/http-server.js";
import { beginRequest, type AnthropicContext } from "./context.js";
import { sendAnthropicError } from "./errors.js";
import type { FileStore } from "./file-store.js";
import { paginate } from "./pagination.js";

/** "Maximum file size: 500 MB per file" (the Files guide, "File storage and limits"). */
export const MAX_FILE_BYTES = 500 * 1024 * 1024;
/** The upload route's body limit: the largest file and its multipart framing. */
export const UPLOAD_BODY_LIMIT = MAX_FILE_BYTES + 1024 * 1024;

/** "The file name doesn't meet the length requirements (1-255 characters) or contains forbidden characters" (the guide's error list). */
const FORBIDDEN_IN_FILENAME = /[<>:"|?*\\/\u0000-\u001f]/;

const EXTENSION_OF: Record<string, string> = {
  "application/pdf": ".pdf",
  "text/plain": ".txt",
  "image/jpeg": ".jpg",
  "image/png": ".png",
  "image/gif": ".gif",
  "image/webp": ".webp",
};

/** The error the guide shows for a file_id the workspace does not hold. */
export function fileNotFound(fileId: string): string {
  return `File \`${fileId}\` not found.`;
}

type FileParams = { Params: { fileId: string } };

/** The file part of a multipart upload, or why there is none. */
async function uploadedFile(contentType: string | undefined, body: Buffer): Promise<{ ok: true; file: File } | { ok: false; message: string }> {
  if (!contentType?.toLowerCase().startsWith("multipart/form-data")) return { ok: false, message: "Content-Type must be multipart/form-data" };
  let form: FormData;
  try {
    form = await new Response(body, { headers: { "content-type": contentType } }).formData();
  } catch (error) {
    return { ok: false, message: `There was an error parsing the body of your request: ${error instanceof Error ? error.message : String(error)}` };
  }
  const file = form.get("file");
  if (file === null || typeof file === "string") return { ok: false, message: "file: Field required" };
  return { ok: true, file };
}

/** The name kept for an upload: the final path component of the part's filename, or `unnamed` with the type's extension. */
function keptFilename(name: string, mimeType: string): string {
  const last = name.split("/").pop() ?? "";
  return last === "" ? `unnamed${EXTENSION_OF[mimeType] ?? ""}` : last;
}

export function registerFilesRoutes(app: FastifyInstance, context: AnthropicContext, files: FileStore): void {
  const json = (value: unknown) => JSON.stringify(value);

  app.post("/v1/files", { bodyLimit: UPLOAD_BODY_LIMIT }, async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "files.upload");
    if (!requestId) return reply;
    const upload = await uploadedFile(request.headers["content-type"], rawBody(request));
    if (!upload.ok) return sendAnthropicError(reply, requestId, 400, upload.message);
    const bytes = Buffer.from(await upload.file.arrayBuffer());
    if (bytes.length > MAX_FILE_BYTES) return sendAnthropicError(reply, requestId, 413, "File exceeds the 500 MB limit");
    const mimeType = upload.file.type === "" ? "application/octet-stream" : upload.file.type;
    const filename = keptFilename(upload.file.name, mimeType);
    if (filename.length > 255 || FORBIDDEN_IN_FILENAME.test(filename)) {
      return sendAnthropicError(reply, requestId, 400, "Invalid filename: it must be 1-255 characters, without < > : \" | ? * \\ / or control characters");
    }
    return reply.code(200).header("content-type", "application/json").send(json(files.add(filename, mimeType, bytes)));
  });

  app.get("/v1/files", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "files.list");
    if (!requestId) return reply;
    const query = { ...(request.query as Record<string, unknown>) };
    // The SDK's cursor (`page`, from `next_page`) is the last id of the page before.
    if (typeof query["page"] === "string" && query["after_id"] === undefined) query["after_id"] = query["page"];
    const result = paginate(files.list(), query);
    if (!result.ok) return sendAnthropicError(reply, requestId, 400, result.message);
    const page = result.page;
    return reply.code(200).header("content-type", "application/json").send(json({ ...page, next_page: page.has_more ? page.last_id : null }));
  });

  app.get<FileParams>("/v1/files/:fileId", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "files.metadata");
    if (!requestId) return reply;
    const metadata = files.metadata(request.params.fileId);
    if (!metadata) return sendAnthropicError(reply, requestId, 404, fileNotFound(request.params.fileId));
    return reply.code(200).header("content-type", "application/json").send(json(metadata));
  });

  app.get<FileParams>("/v1/files/:fileId/content", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "files.content");
    if (!requestId) return reply;
    const { fileId } = request.params;
    const metadata = files.metadata(fileId);
    const content = files.content(fileId);
    if (!metadata || !content) return sendAnthropicError(reply, requestId, 404, fileNotFound(fileId));
    if (!metadata.downloadable) {
      return sendAnthropicError(reply, requestId, 400, `File \`${fileId}\` is not downloadable: only files created by skills or the code execution tool can be downloaded`, { errorCode: "file_not_downloadable" });
    }
    return reply.code(200).header("content-type", metadata.mime_type).header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(metadata.filename)}`).send(content);
  });

  app.delete<FileParams>("/v1/files/:fileId", async (request, reply) => {
    const requestId = beginRequest(context, request, reply, "files.delete");
    if (!requestId) return reply;
    const { fileId } = request.params;
    if (!files.delete(fileId)) return sendAnthropicError(reply, requestId, 404, fileNotFound(fileId));
    return reply.code(200).header("content-type", "application/json").send(json({ id: fileId, type: "file_deleted" }));
  });
}
