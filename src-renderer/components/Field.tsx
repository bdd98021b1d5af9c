/**
 * One labelled form field: label, control, hint and error, wired for
 * assistive technology in one place. The control is the caller's (an input,
 * a textarea, a select, a row with a Show button), so the field hands it the
 * attributes that tie it to its label, hint and error: a screen reader reads
 * the error first, then the hint, and `aria-invalid` marks the control only
 * while there is an error.
 */
import { useId, type ReactNode } from 'react';
import './field.css';

/** What the control must carry so its label, hint and error belong to it. */
export interface FieldControlProps {
  id: string;
  'aria-invalid': true | undefined;
  'aria-describedby': string | undefined;
}

interface FieldChrome {
  /** The control's id; a unique one is made when left out. Give one where a test or another control refers to it. */
  id?: string | undefined;
  hint?: ReactNode;
  error?: string | null | undefined;
  /** Extra ids the control is described by, after the error and the hint (a strength meter, a fingerprint). */
  describedBy?: string | undefined;
  /** Extra class names for the outer element, after `field`. */
  className?: string | undefined;
  /** The error is announced as soon as it appears (role="alert"): for an error that comes back from saving, not one shown while typing. */
  announceError?: boolean;
}

interface FieldProps extends FieldChrome {
  label: ReactNode;
  /** Marks the label "(optional)". */
  optional?: boolean;
  /** Buttons right of the label (Load from file, Show). */
  labelActions?: ReactNode;
  /** Rendered after the control, before the hint (a fingerprint, fetched choices). */
  below?: ReactNode;
  children: (control: FieldControlProps) => ReactNode;
}

/** The ids of a field's hint and error, and the attributes its control carries. */
function useFieldIds(id: string | undefined, hint: ReactNode, error: string | null | undefined, describedBy: string | undefined) {
  const generated = useId();
  const controlId = id ?? `field${generated.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const hintId = `${controlId}-hint`;
  const errorId = `${controlId}-error`;
  const hasHint = hint !== undefined && hint !== null && hint !== false && hint !== '';
  const ids = [error ? errorId : null, hasHint ? hintId : null, describedBy ?? null].filter(Boolean).join(' ');
  const control: FieldControlProps = { id: controlId, 'aria-invalid': error ? true : undefined, 'aria-describedby': ids || undefined };
  return { control, hintId, errorId, hasHint };
}

function HintAndError({ hint, hintId, hasHint, error, errorId, announce }: { hint: ReactNode; hintId: string; hasHint: boolean; error: string | null | undefined; errorId: string; announce?: boolean | undefined }) {
  return (
    <>
      {hasHint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {error && (
        <p className="field__error" id={errorId} role={announce ? 'alert' : undefined}>
          {error}
        </p>
      )}
    </>
  );
}

/** A label over one control, with its hint and error under it. */
export function Field({ id, label, optional, labelActions, hint, error, describedBy, className, announceError, below, children }: FieldProps) {
  const { control, hintId, errorId, hasHint } = useFieldIds(id, hint, error, describedBy);
  const labelElement = (
    <label htmlFor={control.id} className="field__label">
      {label}
      {optional && (
        <>
          {' '}
          <span className="field__optional">(optional)</span>
        </>
      )}
    </label>
  );
  return (
    <div className={className ? `field ${className}` : 'field'}>
      {labelActions ? (
        <div className="field__label-row">
          {labelElement}
          <span className="field__label-actions">{labelActions}</span>
        </div>
      ) : (
        labelElement
      )}
      {children(control)}
      {below}
      <HintAndError hint={hint} hintId={hintId} hasHint={hasHint} error={error} errorId={errorId} announce={announceError} />
    </div>
  );
}

interface FieldSetProps extends FieldChrome {
  legend: ReactNode;
  /** The choices (radios, checkboxes); the group, not each choice, is described by the hint and error. */
  children: ReactNode;
}

/** A group of choices under one legend: radios or checkboxes answering one question. */
export function FieldSet({ id, legend, hint, error, describedBy, className, announceError, children }: FieldSetProps) {
  const { control, hintId, errorId, hasHint } = useFieldIds(id, hint, error, describedBy);
  return (
    <fieldset id={control.id} className={className ? `field fieldset ${className}` : 'field fieldset'} aria-describedby={control['aria-describedby']}>
      <legend className="field__label">{legend}</legend>
      {children}
      <HintAndError hint={hint} hintId={hintId} hasHint={hasHint} error={error} errorId={errorId} announce={announceError} />
    </fieldset>
  );
}

interface CheckboxFieldProps extends FieldChrome {
  label: ReactNode;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
}

/** One checkbox with its label beside it, and its hint and error under it. */
export function CheckboxField({ id, label, checked, onChange, disabled, hint, error, describedBy, className, announceError }: CheckboxFieldProps) {
  const { control, hintId, errorId, hasHint } = useFieldIds(id, hint, error, describedBy);
  return (
    <div className={className ? `field ${className}` : 'field'}>
      <label className="choice">
        <input type="checkbox" {...control} checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
        {label}
      </label>
      <HintAndError hint={hint} hintId={hintId} hasHint={hasHint} error={error} errorId={errorId} announce={announceError} />
    </div>
  );
}
