import { GatewayError } from "../errors.js";

/** A refusal of the chat request itself: `param` is the field it names, OpenAI's error.param. */
export class ChatRequestError extends GatewayError {
  constructor(
    readonly param: string,
    problem: string,
  ) {
    super("invalid_request", `${param}: ${problem}`);
  }
}
