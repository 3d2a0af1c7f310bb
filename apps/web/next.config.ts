import type { NextConfig } from 'next';

const config: NextConfig = {
  // workspace packages are consumed as TypeScript source
  transpilePackages: ['@berth/shared', '@berth/agent'],
  serverExternalPackages: ['better-sqlite3', 'pg'],
  typedRoutes: false,
  poweredByHeader: false,
  // gzip would buffer the SSE streams the tRPC proxy relays
  compress: false,
};

export default config;
