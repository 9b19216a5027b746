import { lazy, StrictMode, Suspense, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { Console } from './Console';
import { currentSession, mayAnalyse, signIn, signOut, type Session } from './session';
import './styles.css';

// The dashboard's charts (recharts) load only on the dashboard: the console stays small.
const Dashboard = lazy(() => import('./Dashboard').then((m) => ({ default: m.Dashboard })));

/** The two pages: /app the console, /app/dashboard the dashboard (the API serves index.html for both). */
const onDashboard = location.pathname.replace(/\/$/, '') === '/app/dashboard';

function SignIn({ onSession }: { onSession: (s: Session) => void }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const session = signIn(token);
    if (session) onSession(session);
    else setProblem('That is not a token: paste the whole value `npm run token` printed.');
  };
  return (
    <main id="main" className="signin">
      <h1>Customer 360</h1>
      <p>
        Open the link <code>npm start</code> prints, or paste a token (<code>npm run token -- --role agent</code>).
      </p>
      <form onSubmit={submit}>
        <label htmlFor="token">Token</label>
        <input id="token" type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} />
        <button type="submit">Sign in</button>
        {problem && (
          <p className="error" role="alert">
            {problem}
          </p>
        )}
      </form>
    </main>
  );
}

function App() {
  const [session, setSession] = useState<Session | null>(currentSession);
  if (!session) return <SignIn onSession={setSession} />;
  const page = onDashboard ? 'dashboard' : 'console';
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Customer 360</span>
        <nav aria-label="Pages">
          <a href="/app" aria-current={page === 'console' ? 'page' : undefined}>
            Console
          </a>
          {mayAnalyse(session) && (
            <a href="/app/dashboard" aria-current={page === 'dashboard' ? 'page' : undefined}>
              Dashboard
            </a>
          )}
        </nav>
        <span className="who">
          {session.subject} ({session.roles.join(', ') || 'no role'})
          <button
            type="button"
            className="link"
            onClick={() => {
              signOut();
              setSession(null);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        <h1 className="visually-hidden">{page === 'dashboard' ? 'Dashboard' : 'Customer console'}</h1>
        {page === 'dashboard' ? (
          <Suspense fallback={<p className="loading">Loading the dashboard…</p>}>
            <Dashboard session={session} />
          </Suspense>
        ) : (
          <Console session={session} />
        )}
      </main>
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
