import type { ReactNode } from 'react';

/** One crumb of a page header. */
export interface Crumb {
  label: string;
  href?: string;
}

/** The top of every page: breadcrumbs, the title, a subtitle line and actions on the right. */
export function PageHeader({ crumbs = [], title, subtitle, actions }: { crumbs?: Crumb[]; title: ReactNode; subtitle?: ReactNode; actions?: ReactNode }) {
  return (
    <header className="page-header">
      <div className="page-heading">
        {crumbs.length ? (
          <nav className="crumbs" aria-label="Breadcrumbs">
            {crumbs.map((c, i) => (
              <span key={i}>
                {c.href ? <a href={c.href}>{c.label}</a> : c.label}
                <span className="crumb-sep" aria-hidden="true">/</span>
              </span>
            ))}
          </nav>
        ) : null}
        <h1 className="page-title">{title}</h1>
        {subtitle ? <div className="page-subtitle">{subtitle}</div> : null}
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}

/** A titled block of a page. */
export function Section({ title, id, actions, children, className }: { title: ReactNode; id?: string; actions?: ReactNode; children: ReactNode; className?: string }) {
  return (
    <section className={`section ${className ?? ''}`} id={id} aria-labelledby={id ? `${id}-title` : undefined}>
      <div className="section-head">
        <h2 className="section-title" id={id ? `${id}-title` : undefined}>{title}</h2>
        {actions ? <div className="section-actions">{actions}</div> : null}
      </div>
      {children}
    </section>
  );
}

/** A status word as a coloured badge (run status, model stage, version status). */
export function Badge({ value, kind }: { value: string; kind?: string }) {
  return <span className={`badge badge-${(kind ?? value).toLowerCase()}`}>{value}</span>;
}
