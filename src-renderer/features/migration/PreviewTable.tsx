import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../../lib/errors.js';
import type { MigrationPreview, MigrationPreviewItem } from '../../../src-shared/contract.js';
import { DataTable, type DataColumn } from '../../components/DataTable.js';
import { failReasonLabels, previewOutcomeLabels, type PreviewOutcome } from './migration-labels.js';

type OutcomeFilter = PreviewOutcome | 'all';

const FILTERS: { id: OutcomeFilter; label: string }[] = [
  { id: 'all', label: 'All' },
  { id: 'move', label: previewOutcomeLabels.move },
  { id: 'rename', label: previewOutcomeLabels.rename },
  { id: 'fail', label: previewOutcomeLabels.fail },
];

/** How many rows the table draws; the counts and the run cover every secret. */
const SHOWN_ROWS = 1000;

const pillClass: Record<PreviewOutcome, string> = { move: 'pill--success', rename: 'pill--pending', fail: 'pill--failure' };

/** What the outcome cell says: "Will be renamed to X", "Will fail: too large". */
function outcomeText(item: MigrationPreviewItem): string {
  if (item.outcome === 'move' && item.reference?.kept) return 'Stays a reference';
  if (item.outcome === 'rename') return `${previewOutcomeLabels.rename} to ${item.targetName ?? ''}`;
  if (item.outcome === 'fail' && item.reason) return `${previewOutcomeLabels.fail}: ${failReasonLabels[item.reason]}`;
  return previewOutcomeLabels[item.outcome];
}

interface NameEditorProps {
  item: MigrationPreviewItem;
  onSave: (name: string) => Promise<void>;
  onCancel: () => void;
}

/** An inline field for one secret's target name; the engine's new preview says whether it is taken or clashes. */
function NameEditor({ item, onSave, onCancel }: NameEditorProps) {
  const [value, setValue] = useState(item.targetName ?? item.name);
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const errorId = `rename-error-${item.secretId}`;
  useEffect(() => input.current?.select(), []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const name = value.trim();
    if (!name) return;
    setSaving(true);
    setRefusal(null);
    try {
      await onSave(name);
    } catch (err) {
      setRefusal(describeError(err));
      setSaving(false);
      input.current?.focus();
    }
  };

  return (
    <form className="migration-name-editor" onSubmit={(e) => void submit(e)}>
      <input
        ref={input}
        className="input input--mono"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
        aria-label={`Target name of ${item.name}`}
        aria-invalid={refusal ? true : undefined}
        aria-describedby={refusal ? errorId : undefined}
        spellCheck={false}
        maxLength={512}
      />
      <button type="submit" className="btn btn--small btn--primary" disabled={saving} aria-busy={saving}>
        {saving ? 'Checking…' : 'Save name'}
      </button>
      <button type="button" className="btn btn--small" onClick={onCancel}>
        Cancel
      </button>
      {refusal && (
        <p className="field__error migration-name-editor__error" id={errorId} role="alert">
          {refusal}
        </p>
      )}
    </form>
  );
}

interface PreviewTableProps {
  preview: MigrationPreview;
  /** Whether the target takes names (a secret store): only then can a mapped name be edited. */
  namesEditable: boolean;
  /** Re-previews with this secret's target name replaced; rejects, changing nothing, when the engine refuses the name. */
  onRename: (secretId: string, name: string) => Promise<void>;
}

/** Every selected secret with what will happen to it, filterable by outcome, with editable target names. */
export function PreviewTable({ preview, namesEditable, onRename }: PreviewTableProps) {
  const [filter, setFilter] = useState<OutcomeFilter>('all');
  const [editing, setEditing] = useState<string | null>(null);
  const editButtons = useRef(new Map<string, HTMLButtonElement>());
  /** The row whose Edit button takes focus back once its field has closed. */
  const returnFocusTo = useRef<string | null>(null);
  const shown = preview.items.filter((item) => filter === 'all' || item.outcome === filter);
  const total = preview.items.length;

  // Focus goes back to the row's Edit button once the field has closed and the button is drawn again.
  const closeEditor = (secretId: string) => {
    returnFocusTo.current = secretId;
    setEditing(null);
  };
  useEffect(() => {
    if (editing !== null || returnFocusTo.current === null) return;
    editButtons.current.get(returnFocusTo.current)?.focus();
    returnFocusTo.current = null;
  });

  const columns: DataColumn<MigrationPreviewItem>[] = [
    { header: 'Secret', mono: true, cell: (item) => item.name },
    { header: 'Outcome', cell: (item) => <span className={`pill ${pillClass[item.outcome]}`}>{outcomeText(item)}</span> },
    {
      header: 'Name in the target',
      mono: true,
      cell: (item) =>
        editing === item.secretId ? (
          <NameEditor
            item={item}
            onCancel={() => closeEditor(item.secretId)}
            onSave={async (name) => {
              await onRename(item.secretId, name);
              closeEditor(item.secretId);
            }}
          />
        ) : (
          (item.targetName ?? '—')
        ),
    },
    { header: 'Why', className: 'table__wrap', cell: (item) => [item.detail, item.reference?.why].filter(Boolean).join(' ') },
    { header: 'Versions', className: 'migration-num', cell: (item) => item.versions },
    {
      header: 'Edit target name',
      headerHidden: true,
      cell: (item) =>
        namesEditable &&
        item.targetName !== null &&
        editing !== item.secretId && (
          <button
            ref={(el) => {
              if (el) editButtons.current.set(item.secretId, el);
              else editButtons.current.delete(item.secretId);
            }}
            type="button"
            className="btn btn--small"
            onClick={() => setEditing(item.secretId)}
            aria-label={`Edit target name of ${item.name}`}
          >
            Edit target name
          </button>
        ),
    },
  ];

  return (
    <div className="migration-preview">
      <div className="migration-preview__bar">
        <p className="migration-preview__counts" aria-live="polite">
          {total.toLocaleString('en')} {total === 1 ? 'secret' : 'secrets'}: {preview.counts.move.toLocaleString('en')} will move,{' '}
          {preview.counts.rename.toLocaleString('en')} will be renamed, {preview.counts.fail.toLocaleString('en')} will fail.
        </p>
        <div className="segmented" role="group" aria-label="Show outcome">
          {FILTERS.map(({ id, label }) => (
            <button key={id} type="button" className="segmented__option" aria-pressed={filter === id} onClick={() => setFilter(id)}>
              {label}
              {id !== 'all' && <span className="segmented__count"> ({preview.counts[id].toLocaleString('en')})</span>}
            </button>
          ))}
        </div>
      </div>
      <DataTable
        label="Migration preview"
        columns={columns}
        rows={shown.slice(0, SHOWN_ROWS)}
        rowKey={(item) => item.secretId}
        emptyMessage="No secret has this outcome."
        rowProps={(item) => ({ className: item.outcome === 'fail' ? 'is-bad' : undefined })}
        className="migration-preview__table"
      />
      {shown.length > SHOWN_ROWS && (
        <p className="field__hint">
          Showing the first {SHOWN_ROWS.toLocaleString('en')} of {shown.length.toLocaleString('en')}.
        </p>
      )}
    </div>
  );
}
