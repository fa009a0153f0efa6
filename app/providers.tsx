'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ReactNode } from 'react';

let browserQueryClient: QueryClient | undefined;

function getQueryClient(): QueryClient {
  // One client per server render (no data shared between requests), one for the browser's lifetime.
  if (typeof window === 'undefined') return new QueryClient();
  browserQueryClient ??= new QueryClient({ defaultOptions: { queries: { staleTime: 2_000, retry: 1 } } });
  return browserQueryClient;
}

export function Providers({ children }: { children: ReactNode }) {
  return <QueryClientProvider client={getQueryClient()}>{children}</QueryClientProvider>;
}
