'use client';
// The signed-in user's role, for controls only some roles may use (the server checks every action
// again): e.g. the Run form offers the host network and host paths to admins only.
import { createContext, useContext, type ReactNode } from 'react';
import type { Role } from '@/lib/server/db';

const RoleContext = createContext<Role>('viewer');

export function RoleProvider({ role, children }: { role: Role; children: ReactNode }) {
  return <RoleContext.Provider value={role}>{children}</RoleContext.Provider>;
}

export const useRole = (): Role => useContext(RoleContext);
