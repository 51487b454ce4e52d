/** The dashboard's entry: takes a portal link's token or a signed-in key, and routes the views. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { setCredential } from './api.js';
import { Layout } from './components/layout.js';
import { announce, useNotice } from './notice.js';
import { ChartsPage } from './pages/charts.js';
import { DeliveriesPage } from './pages/deliveries.js';
import { DeliveryDetailPage } from './pages/delivery-detail.js';
import { EndpointDetailPage } from './pages/endpoint-detail.js';
import { EndpointFormPage } from './pages/endpoint-form.js';
import { EndpointsPage } from './pages/endpoints.js';
import { EventDetailPage } from './pages/event-detail.js';
import { EventsPage } from './pages/events.js';
import { SignIn } from './pages/sign-in.js';
import { useRoute } from './router.js';
import { loadSession, saveSession, sessionFromPortalToken, takePortalToken, type Session } from './session.js';
import './styles.css';

/**
 * A portal link in the address bar replaces whatever session the tab had: the link is what the
 * user just opened. Null when the address holds no portal link.
 */
function sessionFromAddress(): { session: Session | null; notice: string | null } | null {
  const token = takePortalToken();
  if (!token) return null;
  const session = sessionFromPortalToken(token);
  if (session && session.expires! > Date.now()) {
    saveSession(session);
    return { session, notice: null };
  }
  saveSession(null);
  return { session: null, notice: 'That portal link is invalid or has expired. Ask your platform for a new one.' };
}

const start = sessionFromAddress() ?? { session: loadSession(), notice: null };

function App() {
  const [session, setSession] = useState<Session | null>(start.session);
  const [signInNotice, setSignInNotice] = useState<string | null>(start.notice);
  const notice = useNotice();
  const route = useRoute();
  // A portal link opened in a tab that already shows the dashboard changes only the fragment.
  useEffect(() => {
    const follow = () => {
      const next = sessionFromAddress();
      if (!next) return;
      setSession(next.session);
      setSignInNotice(next.notice);
      announce(null);
    };
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);

  const signOut = (why: string | null) => {
    saveSession(null);
    setCredential(null, () => undefined);
    setSession(null);
    setSignInNotice(why);
    announce(null);
  };
  // Set while rendering, not in an effect: the views' own effects, which run first, already call the API with it.
  setCredential(session?.credential ?? null, () => signOut('Your session has ended or its key is no longer valid. Sign in again.'));

  if (!session) {
    return <SignIn notice={signInNotice} onSignIn={(s) => { saveSession(s); setSession(s); setSignInNotice(null); location.hash = '#/endpoints'; }} />;
  }

  const [section = 'endpoints', id, action] = route;
  let page;
  if (section === 'events') page = id ? <EventDetailPage id={id} /> : <EventsPage />;
  else if (section === 'deliveries') page = id ? <DeliveryDetailPage id={id} /> : <DeliveriesPage />;
  else if (section === 'charts') page = <ChartsPage />;
  else if (id === 'new') page = <EndpointFormPage live={session.live} />;
  else if (id && action === 'edit') page = <EndpointFormPage id={id} live={session.live} />;
  else if (id) page = <EndpointDetailPage id={id} />;
  else page = <EndpointsPage />;

  return (
    <Layout session={session} section={section} notice={notice} onSignOut={() => signOut(null)}>
      {/* A key per route, so that a view's state never leaks into the next one. */}
      <div key={route.join('/')}>{page}</div>
    </Layout>
  );
}

render(<App />, document.getElementById('app')!);
