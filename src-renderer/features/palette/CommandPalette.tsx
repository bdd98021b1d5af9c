import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { testableSecretTypes, type SecretSummary } from '../../../src-shared/contract.js';
import { call } from '../../api/call.js';
import { Dialog } from '../../components/Dialog.js';
import { goTo, request } from '../../state/navigation.js';
import { selectSecret } from '../../state/secrets.js';
import { useSecrets } from '../../state/stores.js';
import { modifierLabel, staticCommands, type Command } from './commands.js';
import { flatten, paletteListing, type PaletteMode } from './palette-listing.js';
import './palette.css';

/** secrets.list refuses longer queries. */
const MAX_QUERY_CHARS = 128;
/** Secrets found by name under the matching commands; credentials when picking one to test. */
const FOUND_LIMIT = { commands: 5, credentials: 20 } as const;
/** Main is asked once typing pauses this long. */
const FIND_DELAY_MS = 120;

interface CommandPaletteProps {
  onClose: () => void;
  onLock: () => void;
  onFocusSearch: () => void;
}

/**
 * Ctrl+K (Cmd+K on macOS): every action by name, with fuzzy search, recent
 * secrets first. A combobox drives a listbox (the ARIA 1.2 pattern): focus
 * stays in the text field and the arrow keys move the active option.
 */
export function CommandPalette({ onClose, onLock, onFocusSearch }: CommandPaletteProps) {
  const [mode, setMode] = useState<PaletteMode>('commands');
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<{ mode: PaletteMode; items: SecretSummary[] }>({ mode, items: [] });
  const recent = useSecrets((s) => s.recent);
  const statics = useMemo(() => staticCommands(modifierLabel(navigator.platform)), []);
  const listId = useId();
  const optionId = (command: Command) => `${listId}-${command.id}`;

  const trimmed = query.trim();
  useEffect(() => {
    if (mode === 'commands' && !trimmed) return;
    let live = true;
    const timer = setTimeout(() => {
      call('secrets.list', {
        query: trimmed,
        ...(mode === 'credentials' ? { types: [...testableSecretTypes] } : {}),
        limit: FOUND_LIMIT[mode],
      })
        .then(({ items }) => live && setFound({ mode, items }))
        .catch(() => live && setFound({ mode, items: [] }));
    }, FIND_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [mode, trimmed]);

  const foundNow = found.mode === mode && (mode === 'credentials' || trimmed) ? found.items : [];
  const groups = paletteListing({ mode, query, staticCommands: statics, recent, found: foundNow });
  const commands = flatten(groups);

  // The active option belongs to one listing; a new query starts at the top.
  const listingKey = `${mode}\n${query}`;
  const [activeAt, setActiveAt] = useState({ key: listingKey, index: 0 });
  const activeIndex = activeAt.key === listingKey ? Math.min(activeAt.index, Math.max(0, commands.length - 1)) : 0;
  const active = commands[activeIndex];
  const setActive = (index: number) => setActiveAt({ key: listingKey, index });

  useEffect(() => {
    if (active) document.getElementById(`${listId}-${active.id}`)?.scrollIntoView({ block: 'nearest' });
  }, [active, listId]);

  const run = (command: Command) => {
    const effect = command.effect;
    if (effect.type === 'pick-credential') {
      setMode('credentials');
      setQuery('');
      return;
    }
    // Closing first gives focus back to where it was; a dialog the command opens then returns it there too.
    onClose();
    switch (effect.type) {
      case 'intent':
        request(effect.intent);
        break;
      case 'go':
        goTo(effect.section);
        break;
      case 'open-secret':
        goTo('secrets');
        selectSecret(effect.secret);
        break;
      case 'test-secret':
        goTo('secrets');
        selectSecret(effect.secret);
        request({ kind: 'test-credential', secretId: effect.secret.id });
        break;
      case 'lock':
        onLock();
        break;
      case 'focus-search':
        onFocusSearch();
        break;
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const count = commands.length;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      if (count > 0) setActive((activeIndex + (event.key === 'ArrowDown' ? 1 : count - 1)) % count);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (active) run(active);
    } else if (event.key === 'Backspace' && mode === 'credentials' && query === '') {
      event.preventDefault();
      setMode('commands');
    }
  };

  const label = mode === 'credentials' ? 'Search credentials to test' : 'Search commands';
  return (
    <Dialog title="Command palette" onClose={onClose} size="palette" hideTitle>
      <input
        className="input palette__input"
        role="combobox"
        aria-label={label}
        placeholder={mode === 'credentials' ? 'Credential to test…' : 'Type a command or a secret’s name…'}
        aria-expanded={commands.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={active ? optionId(active) : undefined}
        value={query}
        maxLength={MAX_QUERY_CHARS}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onKeyDown}
        spellCheck={false}
        autoComplete="off"
        data-autofocus
      />
      <div id={listId} role="listbox" aria-label={mode === 'credentials' ? 'Credentials' : 'Commands'} className="palette__list">
        {groups.map((group, groupIndex) => (
          <div key={group.label} role="group" aria-labelledby={`${listId}-group-${groupIndex}`} className="palette__group">
            <div role="presentation" id={`${listId}-group-${groupIndex}`} className="palette__group-label">
              {group.label}
            </div>
            {group.commands.map((command) => {
              const id = optionId(command);
              const isActive = command === active;
              return (
                <div
                  key={command.id}
                  id={id}
                  role="option"
                  aria-selected={isActive}
                  aria-labelledby={`${id}-label`}
                  aria-describedby={command.hint ? `${id}-hint` : undefined}
                  className={`palette__option${isActive ? ' is-active' : ''}`}
                  onPointerMove={() => !isActive && setActive(commands.indexOf(command))}
                  onClick={() => run(command)}
                >
                  <span className="palette__option-text">
                    <span id={`${id}-label`} className="palette__option-label">
                      {command.label}
                    </span>
                    {command.hint && (
                      <span id={`${id}-hint`} className="palette__option-hint">
                        {command.hint}
                      </span>
                    )}
                  </span>
                  {command.shortcut && (
                    <kbd className="palette__shortcut" aria-hidden="true">
                      {command.shortcut}
                    </kbd>
                  )}
                </div>
              );
            })}
          </div>
        ))}
      </div>
      <p className="palette__status" role="status">
        {commands.length === 0 ? (mode === 'credentials' ? 'No credential matches.' : 'No command or secret matches.') : ''}
      </p>
      <p className="palette__help" aria-hidden="true">
        ↑ ↓ move · Enter runs · Esc closes{mode === 'credentials' ? ' · Backspace goes back' : ''}
      </p>
    </Dialog>
  );
}
