import type { ReactNode } from 'react';
import './panel.css';

interface PanelProps {
  /** The id of the heading, which labels the whole panel. */
  titleId: string;
  title: string;
  subtitle: string;
  /** Buttons at the end of the header. */
  actions?: ReactNode;
  /** Classes added to "panel", e.g. a width. */
  className?: string;
  children: ReactNode;
}

/** One of the main views: a section labelled by its heading, a subtitle under it, its actions beside them. */
export function Panel({ titleId, title, subtitle, actions, className, children }: PanelProps) {
  return (
    <section className={className ? `panel ${className}` : 'panel'} aria-labelledby={titleId}>
      <header className="panel__header">
        <div>
          <h2 id={titleId} className="panel__title">
            {title}
          </h2>
          <p className="panel__subtitle">{subtitle}</p>
        </div>
        {actions}
      </header>
      {children}
    </section>
  );
}
