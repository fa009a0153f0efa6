'use client';

import { useState } from 'react';
import styles from './one-time-secret.module.css';

/**
 * A value the server shows once (an invitation or reset link, an API token): read-only, selected
 * on focus, with a Copy button. Nothing keeps it: leaving or reloading the page loses it for good.
 */
export function OneTimeSecret({ value, label, testId }: { value: string; label: string; testId: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <div className={styles.box} data-testid={testId}>
      <label className={styles.label}>
        {label}
        <input
          className={styles.value}
          readOnly
          value={value}
          onFocus={(e) => e.currentTarget.select()}
          data-testid={`${testId}-value`}
          spellCheck={false}
        />
      </label>
      <button
        type="button"
        className="btn"
        onClick={() => {
          // The Clipboard API needs a secure context (https or localhost); elsewhere the value stays selectable.
          navigator.clipboard?.writeText(value).then(
            () => setCopied('copied'),
            () => setCopied('failed'),
          ) ?? setCopied('failed');
        }}
        data-testid={`${testId}-copy`}
      >
        {copied === 'copied' ? 'Copied' : 'Copy'}
      </button>
      {copied === 'failed' ? <p className={styles.hint}>Copying is blocked here: select the text and copy it by hand.</p> : null}
    </div>
  );
}

/** A path the server returned (/set-password?token=…) as the link to send: on BURNRATE_PUBLIC_URL when set, else this page's origin. */
export function absoluteLink(path: string, publicUrl: string | null): string {
  const base = publicUrl ?? (typeof window === 'undefined' ? '' : window.location.origin);
  return `${base.replace(/\/$/, '')}${path}`;
}
