import type { NextConfig } from 'next';

const config: NextConfig = {
  // workspace packages are consumed as TypeScript source
  transpilePackages: ['@berth/shared', '@berth/agent'],
  serverExternalPackages: ['better-sqlite3', 'pg'],
  typedRoutes: false,
  poweredByHeader: false,
  // gzip would buffer the SSE streams the tRPC proxy relays
  compress: false,
  // dev only: let browsers on these hosts load dev assets (hot reload); BERTH_DEV_ORIGINS adds more
  allowedDevOrigins: ['127.0.0.1', 'localhost', ...(process.env.BERTH_DEV_ORIGINS?.split(',').filter(Boolean) ?? [])],
};

export default config;
