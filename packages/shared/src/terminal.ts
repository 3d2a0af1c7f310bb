// Binary frames on terminal WebSockets (exec and attach): first byte is the opcode.
export const TerminalOp = {
  /** client → server: bytes for the process's stdin */
  input: 0x00,
  /** server → client: bytes the process wrote (stdout, or the pty) */
  output: 0x01,
  /** client → server: JSON {"cols":N,"rows":N} */
  resize: 0x02,
  /** client → server: stop sending output until resume (flow control) */
  pause: 0x03,
  /** client → server: resume output */
  resume: 0x04,
  /** server → client: JSON {"exitCode":N}; the socket closes after it */
  exit: 0x05,
  /** server → client: stderr bytes when there is no pty */
  stderr: 0x06,
  /** client → server: close the process's stdin (EOF) */
  closeStdin: 0x07,
  /** server → client: JSON {"code":ErrorCode,"message":string}; the socket closes after it */
  error: 0x08,
  /** server → client: JSON {"session":ID} for an exec opened with `keep`; a later socket sends
   *  {"resume":ID} as its first message to take the still-running session over */
  session: 0x09,
} as const;
export type TerminalOp = (typeof TerminalOp)[keyof typeof TerminalOp];

export function frame(op: TerminalOp, payload: Uint8Array | string = new Uint8Array()): Uint8Array {
  const body = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload;
  const out = new Uint8Array(body.length + 1);
  out[0] = op;
  out.set(body, 1);
  return out;
}
