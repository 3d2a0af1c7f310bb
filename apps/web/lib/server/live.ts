// Open terminals and streams per user and session, so logging out closes that session's and
// removing a user (or changing their role) closes all of theirs at once. Process-wide: server.ts
// (terminal sockets) and Next's route handlers (SSE streams) each load this module.

interface Conn {
  userId: number;
  session: string;
  close: () => void;
}

const g = globalThis as typeof globalThis & { __berthLive?: Set<Conn> };
const conns = (g.__berthLive ??= new Set<Conn>());

/** Registers an open connection; returns the function to call when it ends on its own. */
export function trackConnection(userId: number, session: string, close: () => void): () => void {
  const c: Conn = { userId, session, close };
  conns.add(c);
  return () => conns.delete(c);
}

function closeWhere(pred: (c: Conn) => boolean): number {
  let n = 0;
  for (const c of [...conns]) {
    if (!pred(c)) continue;
    conns.delete(c);
    n++;
    try {
      c.close();
    } catch {
      /* already closed */
    }
  }
  return n;
}

export const closeSession = (session: string) => closeWhere((c) => c.session === session);
export const closeUser = (userId: number) => closeWhere((c) => c.userId === userId);
export const openConnections = () => conns.size;
