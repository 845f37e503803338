/**
 * Whether a failure is the machine's: Node's system error (a refused connection, a name that does
 * not resolve, a file that cannot be written), which carries a syscall or an E… code such as
 * ECONNREFUSED or EAI_AGAIN, and is told in a line. Node's own complaints about an argument
 * (ERR_INVALID_URL, ERR_SOCKET_BAD_PORT) are not: they say the input is wrong, or the code is.
 */
import { errorCode } from "../util/error-code.js";

export function systemError(error: unknown): Error | undefined {
  // pg reports a refused connection to every address of a host as an AggregateError with no message.
  const cause = error instanceof AggregateError && error.message === "" && error.errors[0] instanceof Error ? error.errors[0] : error;
  if (!(cause instanceof Error)) return undefined;
  return "syscall" in cause || /^E(?:AI_)?[A-Z]+$/.test(errorCode(cause)) ? cause : undefined;
}
