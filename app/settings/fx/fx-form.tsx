'use client';

import { useActionState } from 'react';
import { loadFxRates } from '@/lib/actions/load-fx-rates';
import type { ActionState } from '@/lib/actions/safe-action';
import type { FxLoadSummary } from '@/lib/fx/store';
import { ActionMessage } from '../../ui/action-message';
import styles from '../../ui/controls.module.css';

const IDLE: ActionState<FxLoadSummary> = { status: 'idle' };

/** Uploads one rates file; a refused file's problems are listed under the message, line by line. */
export function FxUploadForm() {
  const [state, action, pending] = useActionState(loadFxRates, IDLE);
  const errors = state.status === 'error' ? state.fieldErrors : {};
  return (
    <form action={action} data-testid="fx-form">
      <div className={styles.field}>
        <label className={styles.label} htmlFor="fx-file">
          Rates file (CSV)
        </label>
        <input
          id="fx-file"
          name="file"
          type="file"
          accept=".csv,text/csv"
          className={styles.input}
          aria-invalid={errors.file ? 'true' : undefined}
        />
        <p className={styles.help}>
          The ECB&apos;s eurofxref-hist.csv or eurofxref.csv (unzipped) as published, or a file with the header date,from,to,rate (1 from =
          rate to). Up to 8 MB.
        </p>
      </div>
      <div className={styles.field}>
        <label className={styles.label} htmlFor="fx-format">
          Format
        </label>
        <select id="fx-format" name="format" className={styles.input} defaultValue="auto">
          <option value="auto">Detect from the header</option>
          <option value="ecb">ECB reference rates</option>
          <option value="simple">date,from,to,rate</option>
        </select>
        {errors.format ? <p className={styles.error}>{errors.format[0]}</p> : null}
      </div>
      <p>
        <button type="submit" className="btn btn-primary" disabled={pending} data-testid="fx-load">
          {pending ? 'Loading…' : 'Load rates'}
        </button>
      </p>
      <ActionMessage state={state} testId="fx-message" />
      {errors.file?.length ? (
        <ul className={styles.error} data-testid="fx-problems">
          {errors.file.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
    </form>
  );
}
