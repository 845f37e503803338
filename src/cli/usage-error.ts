/** Bad input from the command line: exit code 2, with a message that names the flag or field. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    /** what the user can do about it */
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
