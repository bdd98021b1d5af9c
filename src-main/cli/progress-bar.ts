/**
 * The CLI's progress bar for long operations (import, migrate): drawn on
 * stderr, over itself, only when stderr is a terminal. A script that pipes or
 * redirects stderr gets nothing from it, so its output stays what it parses.
 */
const WIDTH = 30;

export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressFigures {
  done: number;
  total: number;
  /** Items a second, measured by the caller; measured here from `done` when absent. */
  ratePerSecond?: number;
  /** Seconds left, measured by the caller; derived from the rate when absent. */
  etaSeconds?: number | null;
  /** What is counted and anything else worth a word ("moved, 2 failed"). */
  detail?: string;
}

/** The bar as text: `[#####.....] 120/400 moved, 35/s ETA 8s`. */
export function progressText(figures: ProgressFigures): string {
  const filled = figures.total === 0 ? WIDTH : Math.min(WIDTH, Math.round((figures.done / figures.total) * WIDTH));
  const rate = figures.ratePerSecond === undefined ? '' : `, ${Math.round(figures.ratePerSecond)}/s`;
  const eta = figures.etaSeconds === null || figures.etaSeconds === undefined ? '' : ` ETA ${Math.ceil(figures.etaSeconds)}s`;
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${figures.done}/${figures.total}${figures.detail ? ` ${figures.detail}` : ''}${rate}${eta}`;
}

export class ProgressBar {
  private readonly started: number;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  get visible(): boolean {
    return this.stream.isTTY === true;
  }

  /** Redraws the bar in place; the rate and ETA come from the time since the bar was made unless given. */
  update(figures: ProgressFigures): void {
    if (!this.visible) return;
    const seconds = Math.max((this.now() - this.started) / 1000, 0.001);
    const ratePerSecond = figures.ratePerSecond ?? figures.done / seconds;
    const etaSeconds = figures.etaSeconds !== undefined ? figures.etaSeconds : ratePerSecond > 0 ? (figures.total - figures.done) / ratePerSecond : null;
    // Clears the rest of the line too, in case the new text is shorter.
    this.stream.write(`\r${progressText({ ...figures, ratePerSecond, etaSeconds })}\x1b[K`);
    this.drawn = true;
  }

  /** Ends the bar's line, so what is written next starts on a line of its own. */
  finish(figures?: ProgressFigures): void {
    if (figures) this.update(figures);
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
