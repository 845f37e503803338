/**
 * Where handleMessages writes its answer: node's ServerResponse for /v1/messages, or an adapter
 * that rewrites the Anthropic answer for another API (openai/chat-response.ts).
 */
export interface ClientResponse {
  writeHead(status: number, headers: Record<string, string>): unknown;
  write(chunk: Buffer | string): boolean;
  end(body?: Buffer | string): unknown;
  /** Drops the connection (the gateway failed while answering). */
  destroy(): unknown;
  on(event: "drain" | "close", listener: () => void): unknown;
  off(event: "drain" | "close", listener: () => void): unknown;
  readonly destroyed: boolean;
  readonly headersSent: boolean;
  /**
   * Ends a started stream with an error the gateway adds (a connection lost mid-stream), when the
   * client's protocol needs more than an `event: error` appended to the bytes so far.
   */
  writeStreamError?(type: string, message: string): void;
}
