import type { ReactNode } from 'react';

export function Notice({ tone = 'info', children, testId }: { tone?: 'info' | 'warn' | 'error'; children: ReactNode; testId?: string }) {
  return (
    <div className={`notice ${tone === 'info' ? '' : tone}`} role={tone === 'error' ? 'alert' : 'note'} data-testid={testId}>
      {children}
    </div>
  );
}
