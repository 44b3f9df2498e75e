import type { ReactNode } from 'react';

export function Card({ title, subtitle, actions, children, headingLevel = 2 }: { title?: ReactNode; subtitle?: ReactNode; actions?: ReactNode; children?: ReactNode; headingLevel?: 2 | 3 }) {
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className="card">
      {title ? (
        <header>
          <div>
            <Heading>{title}</Heading>
            {subtitle ? <p className="subtitle">{subtitle}</p> : null}
          </div>
          {actions}
        </header>
      ) : null}
      {children}
    </section>
  );
}
