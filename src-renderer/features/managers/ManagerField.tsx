import { useRef, useState, type ChangeEvent, type ReactNode } from 'react';
import { CheckboxField, Field, type FieldControlProps } from '../../components/Field.js';
import { VisibilityToggle } from '../../components/VisibilityToggle.js';
import { isRequired, type ManagerFieldDef, type ManagerFormValues } from './manager-fields.js';

/** Text files loaded into a field (PEM, JSON key) are small; anything larger is not what the field wants. */
const MAX_LOADED_FILE_BYTES = 64 * 1024;

export const fieldDomId = (key: string) => `manager-field-${key.replace(/[^A-Za-z0-9_-]/g, '-')}`;

interface ManagerFieldProps {
  field: ManagerFieldDef;
  values: ManagerFormValues;
  error: string | undefined;
  onChange: (key: string, value: string | boolean) => void;
  /** For file loading problems, shown like any other error of the field. */
  onLocalError: (key: string, message: string | null) => void;
  /** Replaces the hint, e.g. "Leave empty to keep…" is not possible for secrets, which must be entered again. */
  extraHint?: string;
  /** Rendered right of the input (the Fetch button). */
  aside?: ReactNode;
  /** Rendered under the input (the fetched choices). */
  below?: ReactNode;
}

/** One field of the manager form, labelled, with its hint and error wired by aria-describedby. */
export function ManagerField({ field, values, error, onChange, onLocalError, extraHint, aside, below }: ManagerFieldProps) {
  const [visible, setVisible] = useState(false);
  const fileRef = useRef<HTMLInputElement>(null);
  const id = fieldDomId(field.key);
  const hint = [field.help, extraHint].filter(Boolean).join(' ');
  const value = values[field.key];
  const text = typeof value === 'string' ? value : '';
  const required = isRequired(field, values);

  if (field.type === 'checkbox') {
    return <CheckboxField id={id} label={field.label} checked={value === true} onChange={(checked) => onChange(field.key, checked)} hint={hint} error={error} />;
  }

  const onFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    if (file.size > MAX_LOADED_FILE_BYTES) {
      onLocalError(field.key, `${file.name} is larger than 64 KiB; this field takes a key or certificate file.`);
      return;
    }
    try {
      onChange(field.key, await file.text());
      onLocalError(field.key, null);
    } catch {
      onLocalError(field.key, `${file.name} could not be read.`);
    }
  };

  const renderControl = (attributes: FieldControlProps): ReactNode => {
    const common = { ...attributes, 'aria-required': required || undefined };
    switch (field.type) {
      case 'select':
        return (
          <select {...common} className="input" value={text} onChange={(e) => onChange(field.key, e.target.value)}>
            {field.options?.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        );
      case 'multiline':
        return (
          <textarea
            {...common}
            className={`input input--mono textarea${field.secret && !visible ? ' is-masked' : ''}`}
            value={text}
            onChange={(e) => onChange(field.key, e.target.value)}
            placeholder={field.placeholder}
            rows={field.secret ? 5 : 4}
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="off"
            spellCheck={false}
          />
        );
      case 'secret':
        return (
          <input
            {...common}
            className="input input--mono"
            type={visible ? 'text' : 'password'}
            value={text}
            onChange={(e) => onChange(field.key, e.target.value)}
            placeholder={field.placeholder}
            autoComplete="off"
            spellCheck={false}
          />
        );
      default:
        return (
          <input
            {...common}
            className="input input--mono"
            inputMode={field.type === 'number' ? 'numeric' : undefined}
            value={text}
            onChange={(e) => onChange(field.key, e.target.value)}
            placeholder={field.placeholder}
            autoComplete="off"
            spellCheck={false}
          />
        );
    }
  };

  const showToggle = field.secret && (field.type === 'secret' || field.type === 'multiline');
  const tools =
    field.fileAccept || (showToggle && field.type === 'multiline') ? (
      <>
        {field.fileAccept && (
          <>
            <button type="button" className="btn btn--ghost btn--small" onClick={() => fileRef.current?.click()} aria-label={`Load ${field.label.toLowerCase()} from a file`}>
              Load from file
            </button>
            <input ref={fileRef} type="file" hidden accept={field.fileAccept} aria-label={`${field.label} file`} onChange={(e) => void onFile(e)} />
          </>
        )}
        {showToggle && field.type === 'multiline' && <VisibilityToggle visible={visible} onToggle={() => setVisible((v) => !v)} controls={id} />}
      </>
    ) : undefined;
  return (
    <Field id={id} label={field.label} optional={!required} labelActions={tools} hint={hint} error={error} below={below}>
      {(attributes) =>
        showToggle && field.type === 'secret' ? (
          <div className="field__row">
            {renderControl(attributes)}
            <VisibilityToggle visible={visible} onToggle={() => setVisible((v) => !v)} controls={id} noun={field.label.toLowerCase()} nounIn="label" />
            {aside}
          </div>
        ) : aside ? (
          <div className="field__row">
            {renderControl(attributes)}
            {aside}
          </div>
        ) : (
          renderControl(attributes)
        )
      }
    </Field>
  );
}
