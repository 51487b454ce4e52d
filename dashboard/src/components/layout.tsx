/** The frame around every signed-in view: skip link, navigation, mode, sign-out, and the notice live region. */
import type { ComponentChildren } from 'preact';
import type { Session } from '../session.js';

const SECTIONS = [['endpoints', 'Endpoints'], ['events', 'Events'], ['deliveries', 'Deliveries'], ['charts', 'Charts']] as const;

interface Props {
  session: Session;
  section: string;
  notice: string | null;
  onSignOut: () => void;
  children: ComponentChildren;
}

export function Layout({ session, section, notice, onSignOut, children }: Props) {
  const who = session.kind === 'portal' ? session.workspace : `key …${session.credential.slice(-4)}`;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header class="top">
        <span class="brand">hookd</span>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map(([id, label]) => (
              <li key={id}><a href={`#/${id}`} aria-current={section === id ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <div class="who">
          <span class={`badge ${session.live ? 'badge-live' : 'badge-test'}`}>{session.live ? 'Live mode' : 'Test mode'}</span>
          <span class="muted small">{who}</span>
          <button type="button" class="link" onClick={onSignOut}>Sign out</button>
        </div>
      </header>
      <p class="notice" role="status" aria-live="polite">{notice ?? ''}</p>
      <main id="main" tabIndex={-1}>{children}</main>
    </>
  );
}
