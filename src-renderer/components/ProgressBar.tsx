import { useNow } from '../hooks/use-now.js';

/**
 * A long operation's progress: a native progress bar (role progressbar) named
 * by `label`, with counts, the rate so far and the time left, spoken as its
 * value text too. Rate and ETA come from `startedAt`.
 */
export function ProgressBar({ label, done, total, startedAt, describe }: { label: string; done: number; total: number; startedAt: number; describe: (done: number, total: number) => string }) {
  const now = useNow(done < total);
  const text = progressSummary(describe(done, total), done, total, (now - startedAt) / 1000);
  return (
    <div className="progress">
      <progress className="progress__bar" max={total} value={done} aria-label={label} aria-valuetext={text} />
      <span className="field__hint" aria-hidden="true">
        {text}
      </span>
    </div>
  );
}

/** "Imported 1,000 of 3,000 · 420 a second · about 5 s left". */
export function progressSummary(counts: string, done: number, total: number, elapsedSeconds: number): string {
  if (done === 0 || elapsedSeconds <= 0 || done >= total) return counts;
  const rate = done / elapsedSeconds;
  const left = Math.ceil((total - done) / rate);
  return `${counts} · ${Math.round(rate).toLocaleString('en')} a second · about ${left < 60 ? `${left} s` : `${Math.ceil(left / 60)} min`} left`;
}
