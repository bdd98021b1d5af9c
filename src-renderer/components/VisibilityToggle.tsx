interface VisibilityToggleProps {
  visible: boolean;
  onToggle: () => void;
  /** The id of the input it unmasks. */
  controls: string;
  /** What it unmasks, e.g. "value": "Show value". */
  noun?: string;
  /**
   * Where the button names it: in its text, in its accessible name only
   * (where several such buttons share a form), or in its tooltip.
   */
  nounIn?: 'text' | 'label' | 'title';
}

/** Shows or hides what is typed in a masked input; pressed while it is shown. */
export function VisibilityToggle({ visible, onToggle, controls, noun, nounIn = 'text' }: VisibilityToggleProps) {
  const verb = visible ? 'Hide' : 'Show';
  const phrase = noun ? `${verb} ${noun}` : verb;
  return (
    <button
      type="button"
      className="btn btn--ghost btn--small"
      onClick={onToggle}
      aria-pressed={visible}
      aria-controls={controls}
      aria-label={nounIn === 'label' ? phrase : undefined}
      title={nounIn === 'title' ? phrase : undefined}
    >
      {nounIn === 'text' ? phrase : verb}
    </button>
  );
}
