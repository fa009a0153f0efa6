// Brand-adjacent colours so a stacked bar reads at a glance; unknown providers take the palette.
const KNOWN: Record<string, string> = {
  aws: '#f59e0b',
  'amazon web services': '#f59e0b',
  microsoft: '#2563eb',
  azure: '#2563eb',
  'microsoft azure': '#2563eb',
  'google cloud': '#16a34a',
  google: '#16a34a',
  gcp: '#16a34a',
  oracle: '#dc2626',
};
const PALETTE = ['#7c3aed', '#0891b2', '#db2777', '#65a30d', '#ea580c', '#475569', '#0d9488', '#9333ea'];

export function providerColor(provider: string, index: number): string {
  return KNOWN[provider.trim().toLowerCase()] ?? PALETTE[index % PALETTE.length];
}
