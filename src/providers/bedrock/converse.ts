/**
 * Bedrock's Converse API for a provider with `api: converse`: the Anthropic request as a Converse
 * request, the Converse answer as an Anthropic message, ConverseStream events as Anthropic SSE.
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStreamOutput.html
 *
 * cache_control becomes a cachePoint after its block (with its ttl); thinking, top_k and betas go
 * in additionalModelRequestFields. What Converse cannot carry (image or document URLs, citations,
 * server tools) is refused before the call, naming the field. Usage comes from Converse's own
 * report (metadata.usage when streaming) and is priced like any other.
 */
import { UpstreamError } from "../upstream-error.js";
import { formatSseEvent } from "../shared/sse-events.js";

type Json = Record<string, unknown>;

function refuse(field: string, problem: string): UpstreamError {
  return new UpstreamError("unsupported", `${field}: ${problem} through Bedrock's Converse API (use a deployment on InvokeModel, the default)`);
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function cachePoint(block: Json): Json[] {
  const control = block.cache_control;
  if (!isObject(control)) return [];
  return [{ cachePoint: { type: "default", ...(control.ttl === "1h" || control.ttl === "5m" ? { ttl: control.ttl } : {}) } }];
}

const IMAGE_FORMATS: Record<string, string> = { "image/png": "png", "image/jpeg": "jpeg", "image/gif": "gif", "image/webp": "webp" };

/**
 * A Converse document name: letters, digits, single spaces, hyphens, parentheses and square
 * brackets only, unique in the request (Bedrock refuses two documents of the same name).
 * https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_DocumentBlock.html
 */
function documentName(title: unknown, names: Set<string>): string {
  const cleaned = typeof title === "string" ? title.replace(/[^a-zA-Z0-9 ()[\]-]/g, " ").replace(/\s+/g, " ").trim().slice(0, 190).trim() : "";
  const base = cleaned || `document-${names.size + 1}`;
  let name = base;
  for (let copy = 2; names.has(name); copy += 1) name = `${base} (${copy})`;
  names.add(name);
  return name;
}

/** What converting one request's blocks shares: the document names already used. */
interface Conversion {
  documentNames: Set<string>;
}

function contentBlocks(content: unknown, field: string, conversion: Conversion): Json[] {
  if (typeof content === "string") return [{ text: content }];
  if (!Array.isArray(content)) throw refuse(field, "must be a string or a list of blocks");
  return content.flatMap((block, index): Json[] => {
    const where = `${field}[${index}]`;
    if (!isObject(block)) throw refuse(where, "must be a block");
    let converted: Json;
    /** A cache point asked for inside a tool result, which Converse cannot hold there: it follows the result. */
    let innerCachePoint: Json[] = [];
    switch (block.type) {
      case "text":
        if (block.citations !== undefined && block.citations !== null) throw refuse(`${where}.citations`, "cannot be sent");
        converted = { text: String(block.text ?? "") };
        break;
      case "image": {
        const source = isObject(block.source) ? block.source : {};
        const format = IMAGE_FORMATS[String(source.media_type)];
        if (source.type !== "base64" || !format) throw refuse(`${where}.source`, "only base64 PNG, JPEG, GIF or WebP images can be sent");
        converted = { image: { format, source: { bytes: source.data } } };
        break;
      }
      case "document": {
        const source = isObject(block.source) ? block.source : {};
        for (const unsent of ["citations", "context"]) if (block[unsent] !== undefined && block[unsent] !== null) throw refuse(`${where}.${unsent}`, "cannot be sent");
        const name = documentName(block.title, conversion.documentNames);
        if (source.type === "base64" && source.media_type === "application/pdf") converted = { document: { format: "pdf", name, source: { bytes: source.data } } };
        else if (source.type === "text") converted = { document: { format: "txt", name, source: { text: source.data } } };
        else throw refuse(`${where}.source`, "only base64 PDF and text documents can be sent");
        break;
      }
      case "tool_use":
        converted = { toolUse: { toolUseId: block.id, name: block.name, input: block.input ?? {} } };
        break;
      case "tool_result": {
        // A result's parts are blocks like any other; Converse's tool results carry text, images and documents.
        const inner = block.content;
        const inside = inner === undefined ? [] : contentBlocks(inner, `${where}.content`, conversion);
        const parts = inside.filter((part) => !("cachePoint" in part));
        innerCachePoint = inside.filter((part) => "cachePoint" in part).slice(-1);
        if (parts.some((part) => !("text" in part || "image" in part || "document" in part))) {
          throw refuse(`${where}.content`, "only text, image and document parts can be sent in a tool result");
        }
        // Converse refuses an error result without content; Anthropic's may have none.
        if (block.is_error === true && parts.length === 0) throw refuse(`${where}.content`, "an error result with no content cannot be sent");
        converted = { toolResult: { toolUseId: block.tool_use_id, content: parts, ...(block.is_error === true ? { status: "error" } : {}) } };
        break;
      }
      case "thinking":
        converted = { reasoningContent: { reasoningText: { text: String(block.thinking ?? ""), signature: String(block.signature ?? "") } } };
        break;
      case "redacted_thinking":
        converted = { reasoningContent: { redactedContent: block.data } };
        break;
      default:
        throw refuse(where, `blocks of type ${JSON.stringify(block.type)} cannot be sent`);
    }
    const own = cachePoint(block);
    return [converted, ...(own.length > 0 ? own : innerCachePoint)];
  });
}

/**
 * The Anthropic Messages body (already checked by the gateway) as a Converse request. `notes`
 * collects what the translation left out of the request, for the ledger row's warnings.
 */
export function toConverseRequest(body: Json, betas: readonly string[], notes: string[] = []): Json {
  for (const field of Object.keys(body)) {
    if (!TRANSLATED_FIELDS.has(field)) throw refuse(field, "cannot be sent");
  }
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const conversion: Conversion = { documentNames: new Set() };
  const request: Json = {
    messages: messages.map((message: unknown, index) => {
      const record = isObject(message) ? message : {};
      return { role: record.role, content: contentBlocks(record.content, `messages[${index}].content`, conversion) };
    }),
  };
  if (body.system !== undefined) {
    request.system = typeof body.system === "string" ? [{ text: body.system }] : contentBlocks(body.system, "system", conversion);
  }
  const inference: Json = { maxTokens: body.max_tokens };
  if (body.temperature !== undefined) inference.temperature = body.temperature;
  if (body.top_p !== undefined) inference.topP = body.top_p;
  if (body.stop_sequences !== undefined) inference.stopSequences = body.stop_sequences;
  request.inferenceConfig = inference;
  // Which stop sequence ended the answer comes back only when asked for.
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) request.additionalModelResponseFieldPaths = ["/stop_sequence"];
  const extra: Json = {};
  if (body.top_k !== undefined) extra.top_k = body.top_k;
  if (body.thinking !== undefined) extra.thinking = body.thinking;
  if (betas.length > 0) extra.anthropic_beta = betas;
  if (Object.keys(extra).length > 0) request.additionalModelRequestFields = extra;
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const tools = body.tools.flatMap((tool: unknown, index): Json[] => {
      if (!isObject(tool) || typeof tool.name !== "string" || !isObject(tool.input_schema) || (tool.type !== undefined && tool.type !== "custom")) {
        throw refuse(`tools[${index}]`, "only custom tools (name, input_schema) can be sent");
      }
      return [{ toolSpec: { name: tool.name, ...(typeof tool.description === "string" ? { description: tool.description } : {}), inputSchema: { json: tool.input_schema } } }, ...cachePoint(tool)];
    });
    const config: Json = { tools };
    const choice = body.tool_choice;
    if (isObject(choice)) {
      if (choice.type === "auto") config.toolChoice = { auto: {} };
      else if (choice.type === "any") config.toolChoice = { any: {} };
      else if (choice.type === "tool") config.toolChoice = { tool: { name: choice.name } };
      else if (choice.type !== "none") throw refuse("tool_choice", `type ${JSON.stringify(choice.type)} cannot be sent`);
      if (choice.disable_parallel_tool_use === true) throw refuse("tool_choice.disable_parallel_tool_use", "cannot be sent");
    }
    // tool_choice none: Converse has no such choice; the tools are left out instead. But Converse
    // needs toolConfig whenever the conversation holds tool calls or results, and with it the
    // model could call a tool: such a request is refused (another deployment can serve it).
    if (!(isObject(choice) && choice.type === "none")) request.toolConfig = config;
    else if ((request.messages as { content: Json[] }[]).some((message) => message.content.some((block) => "toolUse" in block || "toolResult" in block))) {
      throw refuse("tool_choice", "none with tool calls in the conversation cannot be sent");
    }
  }
  if (body.metadata !== undefined) {
    // metadata.user_id (also what an OpenAI chat request's `user` becomes) is carried as Converse's
    // requestMetadata, the string map Bedrock keeps with the invocation log; nothing else is.
    const { user_id: userId, ...rest } = isObject(body.metadata) ? body.metadata : {};
    if (!isObject(body.metadata) || Object.keys(rest).length > 0) throw refuse("metadata", "only user_id can be sent");
    if (userId !== undefined && userId !== null) {
      if (typeof userId !== "string") throw refuse("metadata.user_id", "must be a string");
      // A user_id Bedrock would refuse (JSON text, say) is left out rather than refused: it only
      // labels the invocation log, and the answer does not depend on it. The ledger row says so.
      if (REQUEST_METADATA_VALUE.test(userId)) request.requestMetadata = { user_id: userId };
      else notes.push("left metadata.user_id out of Converse's requestMetadata: Bedrock's pattern refuses it");
    }
  }
  return request;
}

/**
 * What Bedrock takes as a requestMetadata value: up to 256 letters, digits, whitespace and
 * `:_@$#=/+,-.` (RequestMetadataValueString in the bedrock-runtime service model). Its `\s` is
 * Java's, ASCII whitespace only; JavaScript's would also let Unicode spaces through.
 */
const REQUEST_METADATA_VALUE = /^[a-zA-Z0-9 \t\n\x0B\f\r:_@$#=/+,\-.]{0,256}$/;

/** The Messages fields the translation carries; any other (container, mcp_servers, output_config, …) is refused by name. */
const TRANSLATED_FIELDS = new Set(["model", "messages", "system", "max_tokens", "temperature", "top_p", "top_k", "stop_sequences", "stream", "tools", "tool_choice", "thinking", "metadata"]);

/** Converse's camelCase usage as Anthropic's usage object (what the client sees). */
function anthropicUsage(usage: unknown): Json {
  const record = isObject(usage) ? usage : {};
  const number = (key: string) => (typeof record[key] === "number" ? (record[key] as number) : 0);
  return {
    input_tokens: number("inputTokens"),
    output_tokens: number("outputTokens"),
    cache_read_input_tokens: number("cacheReadInputTokens"),
    cache_creation_input_tokens: number("cacheWriteInputTokens"),
  };
}

/** Converse stop reasons Anthropic has too keep their name; guardrails and filters become `refusal`; the others (malformed_*) pass as they are. */
function stopReason(reason: unknown): string {
  if (reason === "guardrail_intervened" || reason === "content_filtered") return "refusal";
  return typeof reason === "string" ? reason : "end_turn";
}

function anthropicBlock(block: unknown): Json | undefined {
  if (!isObject(block)) return undefined;
  if (typeof block.text === "string") return { type: "text", text: block.text };
  if (isObject(block.toolUse)) return { type: "tool_use", id: block.toolUse.toolUseId, name: block.toolUse.name, input: block.toolUse.input ?? {} };
  if (isObject(block.reasoningContent)) {
    const reasoning = block.reasoningContent.reasoningText;
    if (isObject(reasoning)) return { type: "thinking", thinking: String(reasoning.text ?? ""), signature: String(reasoning.signature ?? "") };
    return { type: "redacted_thinking", data: String(block.reasoningContent.redactedContent ?? "") };
  }
  return undefined;
}

/** A Converse answer as an Anthropic message (its id made from the request's). */
export function fromConverseResponse(answer: Json, model: string, id: string): Json {
  const output = isObject(answer.output) && isObject(answer.output.message) ? answer.output.message : {};
  const content = Array.isArray(output.content) ? output.content.map(anthropicBlock).filter((block): block is Json => block !== undefined) : [];
  const fields = isObject(answer.additionalModelResponseFields) ? answer.additionalModelResponseFields : {};
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: stopReason(answer.stopReason),
    stop_sequence: typeof fields.stop_sequence === "string" ? fields.stop_sequence : null,
    usage: anthropicUsage(answer.usage),
  };
}

/**
 * ConverseStream events, one at a time, as Anthropic SSE. Converse opens text blocks implicitly
 * (their first delta) and reports usage only at the end (metadata), so message_start carries zero
 * usage and the final message_delta carries all of it; message_stop follows the metadata event.
 */
export class ConverseToAnthropic {
  private readonly open = new Set<number>();
  /** Redacted reasoning per block index: Anthropic sends it whole in content_block_start, so it waits for the block's end. */
  private readonly redacted = new Map<number, Buffer[]>();
  private stop: { reason: string; sequence: string | null } = { reason: "end_turn", sequence: null };
  usage: unknown;
  /** The metadata event, Converse's last, has arrived. */
  ended = false;

  constructor(
    private readonly model: string,
    private readonly id: string,
  ) {}

  private event(type: string, data: Json): string {
    return formatSseEvent(type, JSON.stringify({ type, ...data }));
  }

  private start(index: number, block: Json): string {
    this.open.add(index);
    return this.event("content_block_start", { index, content_block: block });
  }

  private stopBlock(index: number): string {
    this.open.delete(index);
    return this.event("content_block_stop", { index });
  }

  translate(eventType: string, payload: Json): string {
    switch (eventType) {
      case "messageStart":
        return this.event("message_start", {
          message: { id: this.id, type: "message", role: "assistant", model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(undefined) },
        });
      case "contentBlockStart": {
        const index = Number(payload.contentBlockIndex ?? 0);
        const toolUse = isObject(payload.start) && isObject(payload.start.toolUse) ? payload.start.toolUse : undefined;
        return toolUse ? this.start(index, { type: "tool_use", id: toolUse.toolUseId, name: toolUse.name, input: {} }) : "";
      }
      case "contentBlockDelta": {
        const index = Number(payload.contentBlockIndex ?? 0);
        const delta = isObject(payload.delta) ? payload.delta : {};
        let out = "";
        if (typeof delta.text === "string") {
          if (!this.open.has(index)) out += this.start(index, { type: "text", text: "" });
          return out + this.event("content_block_delta", { index, delta: { type: "text_delta", text: delta.text } });
        }
        if (isObject(delta.toolUse)) return this.event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: String(delta.toolUse.input ?? "") } });
        if (isObject(delta.reasoningContent)) {
          if (typeof delta.reasoningContent.redactedContent === "string") {
            const parts = this.redacted.get(index) ?? [];
            parts.push(Buffer.from(delta.reasoningContent.redactedContent, "base64"));
            this.redacted.set(index, parts);
            return out;
          }
          if (!this.open.has(index)) out += this.start(index, { type: "thinking", thinking: "", signature: "" });
          if (typeof delta.reasoningContent.text === "string") return out + this.event("content_block_delta", { index, delta: { type: "thinking_delta", thinking: delta.reasoningContent.text } });
          if (typeof delta.reasoningContent.signature === "string") return out + this.event("content_block_delta", { index, delta: { type: "signature_delta", signature: delta.reasoningContent.signature } });
        }
        return out;
      }
      case "contentBlockStop": {
        const index = Number(payload.contentBlockIndex ?? 0);
        const redacted = this.redacted.get(index);
        if (redacted) {
          this.redacted.delete(index);
          // Base64 pieces cannot be joined as text (padding): the bytes are, then encoded once.
          return this.start(index, { type: "redacted_thinking", data: Buffer.concat(redacted).toString("base64") }) + this.stopBlock(index);
        }
        return this.open.has(index) ? this.stopBlock(index) : "";
      }
      case "messageStop": {
        const fields = isObject(payload.additionalModelResponseFields) ? payload.additionalModelResponseFields : {};
        this.stop = { reason: stopReason(payload.stopReason), sequence: typeof fields.stop_sequence === "string" ? fields.stop_sequence : null };
        return "";
      }
      case "metadata":
        this.ended = true;
        this.usage = payload.usage;
        return (
          this.event("message_delta", { delta: { stop_reason: this.stop.reason, stop_sequence: this.stop.sequence }, usage: anthropicUsage(payload.usage) }) +
          this.event("message_stop", {})
        );
      default:
        return "";
    }
  }
}
