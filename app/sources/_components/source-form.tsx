'use client';

import { type FormEvent, useActionState, useRef, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/safe-action';
import { saveSource } from '@/lib/actions/save-source';
import { testSourceSettings } from '@/lib/actions/test-source-connection';
import type { ConnectorKindForm, SourceFormField } from '@/lib/connectors/registry';
import type { InventoryKindForm } from '@/lib/inventory/registry';
import styles from './sources.module.css';

/** What the edit form starts from. There is no secret here: only whether one is stored. */
export interface SourceFormValues {
  id: number;
  name: string;
  enabled: boolean;
  schedule: string | null;
  config: Record<string, string | boolean>;
  hasSecret: boolean;
  inventoryEnabled: boolean;
  inventoryConfig: Record<string, string | boolean>;
}

type Group = 'config' | 'secret' | 'inventory.config';

/** A billing kind's form, or an inventory-only kind's (no billing config fields; any provider). */
export type SourceKindForm = Omit<ConnectorKindForm, 'provider'> & { provider: string };

const IDLE: ActionState<{ id: number; created: boolean }> = { status: 'idle' };
const IDLE_TEST: ActionState = { status: 'idle' };

function errorId(name: string): string {
  return `err-${name.replace(/\./g, '-')}`;
}

function FieldError({ name, errors }: { name: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p className={styles.error} id={errorId(name)} data-testid={`error-${name}`}>
      {errors.join('; ')}
    </p>
  );
}

function FormField(props: {
  group: Group;
  field: SourceFormField;
  initial?: string | boolean;
  errors?: string[];
  storedSecret: boolean;
  onSelect: (name: string, value: string) => void;
}) {
  const { group, field, initial, errors, storedSecret } = props;
  const name = `${group}.${field.name}`;
  const id = `f-${name.replace(/\./g, '-')}`;
  const invalid = errors?.length ? true : undefined;
  const describedBy = [errors?.length ? errorId(name) : '', field.help ? `${id}-help` : ''].filter(Boolean).join(' ') || undefined;
  const help = field.help ? (
    <p className={styles.help} id={`${id}-help`}>
      {field.help}
    </p>
  ) : null;
  if (field.input === 'checkbox') {
    return (
      <div className={styles.field}>
        <label className={styles.check}>
          <input type="checkbox" name={name} id={id} defaultChecked={initial === true} aria-describedby={describedBy} />
          {field.label}
        </label>
        {help}
        <FieldError name={name} errors={errors} />
      </div>
    );
  }
  let control: React.ReactNode;
  if (field.input === 'select') {
    control = (
      <select
        className={styles.input}
        name={name}
        id={id}
        defaultValue={typeof initial === 'string' ? initial : field.options?.[0]?.value}
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onChange={(e) => props.onSelect(field.name, e.currentTarget.value)}
      >
        {field.options?.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    );
  } else {
    const secretInput = group === 'secret';
    control = (
      <input
        className={styles.input}
        type={field.input === 'password' ? 'password' : field.input === 'url' ? 'url' : 'text'}
        name={name}
        id={id}
        // A secret is never sent to the browser, so a secret field always starts empty.
        defaultValue={secretInput || typeof initial !== 'string' ? '' : initial}
        placeholder={secretInput && storedSecret ? 'stored — leave blank to keep' : field.placeholder}
        autoComplete={secretInput ? 'off' : undefined}
        spellCheck={false}
        aria-invalid={invalid}
        aria-describedby={describedBy}
      />
    );
  }
  return (
    <div className={styles.field}>
      <label className={styles.label} htmlFor={id}>
        {field.label}
        {field.required || field.input === 'select' ? '' : ' (optional)'}
      </label>
      {control}
      {help}
      <FieldError name={name} errors={errors} />
    </div>
  );
}

/**
 * Add or edit form of one connector kind, generated from the kind's fields in the registry. The
 * server validates everything (the same schemas the connector uses) and answers with per-field
 * messages. Typed values survive a failed submit: the form is submitted without React's reset.
 */
export function SourceForm({
  kind,
  inventory,
  inventoryOnly = false,
  values,
  secretKeyConfigured,
  defaultSchedule,
}: {
  kind: SourceKindForm;
  /** The inventory kind the source can use: an option of a billing source, or all of an inventory-only one. */
  inventory?: InventoryKindForm | null;
  inventoryOnly?: boolean;
  values?: SourceFormValues;
  secretKeyConfigured: boolean;
  defaultSchedule: string;
}) {
  const [state, dispatch, pending] = useActionState(saveSource, IDLE);
  const [testState, testDispatch, testing] = useActionState(testSourceSettings, IDLE_TEST);
  const [, startTransition] = useTransition();
  const formRef = useRef<HTMLFormElement>(null);
  const initialSelects: Record<string, string> = {};
  const initialOf = (group: Group, name: string) =>
    group === 'config' ? values?.config[name] : group === 'inventory.config' ? values?.inventoryConfig[name] : undefined;
  for (const [group, fields] of [
    ['config', kind.configFields],
    ['secret', kind.secretFields],
    ['inventory.config', inventory?.configFields ?? []],
  ] as const) {
    for (const f of fields) {
      if (f.input !== 'select') continue;
      const stored = initialOf(group, f.name);
      initialSelects[`${group}.${f.name}`] = typeof stored === 'string' ? stored : (f.options?.[0]?.value ?? '');
    }
  }
  const [selects, setSelects] = useState(initialSelects);
  const [inventoryOn, setInventoryOn] = useState(inventoryOnly || (values?.inventoryEnabled ?? false));
  // Field errors come from whichever of Save and Test answered last.
  const latest = testState.status !== 'idle' && (state.status === 'idle' || testState.at > state.at) ? testState : state;
  const errors = latest.status === 'error' ? latest.fieldErrors : {};
  const creating = values === undefined;

  const onTest = () => {
    if (!formRef.current) return;
    const data = new FormData(formRef.current);
    startTransition(() => testDispatch(data));
  };

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    // Dispatching by hand skips React's automatic form reset, which would wipe what was typed.
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    startTransition(() => dispatch(data));
  };

  const visible = (group: Group, f: SourceFormField) => !f.when || selects[`${group}.${f.when.field}`] === f.when.equals;
  const render = (group: Group, f: SourceFormField) =>
    visible(group, f) ? (
      <FormField
        key={`${group}.${f.name}`}
        group={group}
        field={f}
        initial={initialOf(group, f.name)}
        errors={errors[`${group}.${f.name}`]}
        storedSecret={values?.hasSecret ?? false}
        onSelect={(name, value) => setSelects((s) => ({ ...s, [`${group}.${name}`]: value }))}
      />
    ) : null;
  const basic = kind.configFields.filter((f) => !f.advanced);
  const advanced = kind.configFields.filter((f) => f.advanced);
  const advancedHasError = advanced.some((f) => errors[`config.${f.name}`]);
  const inventoryBasic = inventory?.configFields.filter((f) => !f.advanced) ?? [];
  const inventoryAdvanced = inventory?.configFields.filter((f) => f.advanced) ?? [];
  const inventoryAdvancedHasError = inventoryAdvanced.some((f) => errors[`inventory.config.${f.name}`]);
  const inventoryFields = inventory ? (
    <>
      <div className={styles.grid}>{inventoryBasic.map((f) => render('inventory.config', f))}</div>
      {inventoryAdvanced.length ? (
        <details className={styles.advanced} open={inventoryAdvancedHasError || undefined}>
          <summary>Advanced</summary>
          <div className={styles.grid}>{inventoryAdvanced.map((f) => render('inventory.config', f))}</div>
        </details>
      ) : null}
    </>
  ) : null;

  return (
    <form ref={formRef} className={styles.form} action={dispatch} onSubmit={onSubmit} noValidate data-testid="source-form">
      <input type="hidden" name="kind" value={kind.kind} />
      {values ? <input type="hidden" name="id" value={values.id} /> : null}
      <FieldError name="kind" errors={errors.kind} />
      <div className={styles.grid}>
        <div className={styles.field}>
          <label className={styles.label} htmlFor="f-name">
            Name
          </label>
          <input
            className={styles.input}
            id="f-name"
            name="name"
            defaultValue={values?.name ?? ''}
            placeholder={`${kind.provider}-${inventoryOnly ? 'inventory' : 'billing'}`}
            aria-invalid={errors.name ? true : undefined}
            aria-describedby={errors.name ? errorId('name') : 'f-name-help'}
          />
          <p className={styles.help} id="f-name-help">
            Unique; the Overview and the ingest history show it.
          </p>
          <FieldError name="name" errors={errors.name} />
        </div>
        {inventoryOnly ? null : (
          <div className={styles.field}>
            <label className={styles.label} htmlFor="f-schedule">
              Sync schedule (cron, UTC, optional)
            </label>
            <input
              className={styles.input}
              id="f-schedule"
              name="schedule"
              defaultValue={values?.schedule ?? ''}
              placeholder={defaultSchedule}
              spellCheck={false}
              aria-invalid={errors.schedule ? true : undefined}
              aria-describedby={errors.schedule ? errorId('schedule') : 'f-schedule-help'}
            />
            <p className={styles.help} id="f-schedule-help">
              Empty: every 6 hours ({defaultSchedule}). Checked every 10 minutes.
            </p>
            <FieldError name="schedule" errors={errors.schedule} />
          </div>
        )}
      </div>
      {inventoryOnly ? (
        <fieldset className={styles.fieldset} data-testid="inventory-fieldset">
          <legend>What to read</legend>
          <p className={styles.help}>{kind.description} Synced every hour.</p>
          <input type="hidden" name="inventory.enabled" value="on" />
          {inventoryFields}
        </fieldset>
      ) : (
        <fieldset className={styles.fieldset}>
          <legend>Where the exports are</legend>
          <p className={styles.help}>{kind.description}</p>
          <div className={styles.grid}>{basic.map((f) => render('config', f))}</div>
          {advanced.length ? (
            <details className={styles.advanced} open={advancedHasError || undefined}>
              <summary>Advanced</summary>
              <div className={styles.grid}>{advanced.map((f) => render('config', f))}</div>
            </details>
          ) : null}
        </fieldset>
      )}
      {inventory && !inventoryOnly ? (
        <fieldset className={styles.fieldset} data-testid="inventory-fieldset">
          <legend>Inventory and metrics</legend>
          <label className={styles.check}>
            <input
              type="checkbox"
              name="inventory.enabled"
              checked={inventoryOn}
              onChange={(e) => setInventoryOn(e.currentTarget.checked)}
              data-testid="inventory-enabled"
            />{' '}
            Also read the inventory and utilization with these credentials (hourly)
          </label>
          <p className={styles.help}>{inventory.description}</p>
          {inventoryOn ? inventoryFields : null}
        </fieldset>
      ) : null}
      {kind.secretFields.length ? (
        <fieldset className={styles.fieldset} data-testid="secret-fieldset">
          <legend>Credentials</legend>
          {values?.hasSecret ? (
            <p className={styles.help} data-testid="secret-stored">
              A {kind.secretLabel} is stored (encrypted). Leave the fields blank to keep it; typing new values replaces it. It is only sent
              where it was saved for: changing the endpoint, account URL, region or bucket needs it typed again.
            </p>
          ) : kind.secretRequired ? (
            <p className={styles.help}>Required. Stored encrypted; it is never shown again.</p>
          ) : (
            <p className={styles.help}>
              Optional. Left empty, the server's default credentials are used (environment variables, shared profile, instance or task
              role). Typed credentials are stored encrypted and never shown again.
            </p>
          )}
          {!secretKeyConfigured ? (
            <p className={styles.error} data-testid="secret-key-missing">
              BURNRATE_SECRET_KEY is not set on the server, so typed credentials cannot be saved.
            </p>
          ) : null}
          <div className={styles.grid}>{kind.secretFields.map((f) => render('secret', f))}</div>
          {values?.hasSecret && !kind.secretRequired ? (
            <label className={styles.check}>
              <input type="checkbox" name="clearSecret" /> Remove the stored {kind.secretLabel} (use the default credentials)
            </label>
          ) : null}
          <FieldError name="secret" errors={errors.secret} />
        </fieldset>
      ) : null}
      <label className={styles.check}>
        <input type="checkbox" name="enabled" defaultChecked={values?.enabled ?? true} /> Enabled: sync on the schedule
      </label>
      <div className={styles.actions}>
        <button type="submit" className={`btn ${styles.primary}`} disabled={pending} data-testid="save-source">
          {pending ? 'Saving…' : creating ? 'Add source' : 'Save changes'}
        </button>
        <button
          type="button"
          className="btn"
          onClick={onTest}
          disabled={testing}
          data-testid="test-settings"
          title="Checks these values with the cloud without saving them"
        >
          {testing ? 'Testing…' : creating ? 'Test connection' : 'Test these settings'}
        </button>
        {testState.status !== 'idle' ? (
          <p
            className={`${styles.message} ${testState.status === 'success' ? styles.messageOk : styles.messageError}`}
            role={testState.status === 'success' ? 'status' : 'alert'}
            data-testid="test-settings-result"
          >
            {testState.message}
          </p>
        ) : null}
        {state.status === 'error' ? (
          <p className={`${styles.message} ${styles.messageError}`} role="alert" data-testid="form-message">
            {state.message}
          </p>
        ) : state.status === 'success' ? (
          <p className={`${styles.message} ${styles.messageOk}`} role="status" data-testid="form-message">
            {state.message}
          </p>
        ) : null}
      </div>
    </form>
  );
}
