import { useState } from 'react';
import { themeChoices, type ThemeChoice } from '../../../src-shared/contract.js';
import { describeError } from '../../lib/errors.js';
import { saveSettings } from '../../state/session.js';
import { useSession } from '../../state/stores.js';

const labels: Record<ThemeChoice, string> = {
  system: 'System',
  light: 'Light',
  dark: 'Dark',
};

/** Settings: System, Light or Dark, saved and applied as soon as it is chosen. */
export function AppearanceSection() {
  const saved = useSession((s) => s.status?.settings.theme ?? 'system');
  // Shown chosen at once, while main stores it; back to what is stored if that fails.
  const [choosing, setChoosing] = useState<ThemeChoice | null>(null);
  const [error, setError] = useState<string | null>(null);
  const shown = choosing ?? saved;

  const choose = async (theme: ThemeChoice) => {
    setChoosing(theme);
    setError(null);
    try {
      await saveSettings({ theme });
    } catch (err) {
      setError(describeError(err));
    } finally {
      setChoosing(null);
    }
  };

  return (
    <section className="settings-section" aria-labelledby="appearance-title">
      <h3 id="appearance-title" className="section-title">
        Appearance
      </h3>
      <fieldset className="fieldset" aria-describedby="appearance-hint">
        <legend className="field__label">Theme</legend>
        <div className="choice-row">
          {themeChoices.map((theme) => (
            <label key={theme} className="choice">
              <input type="radio" name="theme" value={theme} checked={shown === theme} onChange={() => void choose(theme)} />
              {labels[theme]}
            </label>
          ))}
        </div>
        <p className="field__hint" id="appearance-hint">
          System follows your desktop’s light or dark setting.
        </p>
        {error && (
          <p className="field__error" role="alert">
            {error}
          </p>
        )}
      </fieldset>
    </section>
  );
}
