import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, getJson, hashState, setHash, signIn, signOut } from './api.js';
import { BudgetsPage, CachePage, LivePage, OverviewPage, QualityPage, RoutingPage, SpendPage } from './pages.js';

interface WhoAmI {
  /** null: not signed in. */
  viewer: { kind: 'admin' | 'open' } | { kind: 'key'; keyId: string } | null;
  open: boolean;
  demoMode: boolean;
  banner: string | null;
}

const PAGES: Array<{ id: string; title: string }> = [
  { id: 'overview', title: 'Overview' },
  { id: 'spend', title: 'Spend' },
  { id: 'routing', title: 'Routing' },
  { id: 'cache', title: 'Cache' },
  { id: 'budgets', title: 'Budgets & keys' },
  { id: 'quality', title: 'Quality' },
  { id: 'live', title: 'Live' },
];

function useHash() {
  const [state, setState] = useState(hashState());
  useEffect(() => {
    const listener = () => setState(hashState());
    addEventListener('hashchange', listener);
    return () => removeEventListener('hashchange', listener);
  }, []);
  return state;
}

function SignIn({ onSignedIn, message }: { onSignedIn: () => void; message?: string }) {
  const [error, setError] = useState(message);
  return (
    <main id="main">
      <h1>Frugal dashboard</h1>
      <form
        class="signin"
        onSubmit={async (event) => {
          event.preventDefault();
          const input = (event.currentTarget as HTMLFormElement).elements.namedItem('key') as HTMLInputElement;
          try {
            await signIn(input.value);
            input.value = '';
            onSignedIn();
          } catch (caught) {
            setError((caught as Error).message);
          }
        }}
      >
        <label for="key">Master key or virtual key</label>
        <input id="key" name="key" type="password" autoComplete="off" required />
        <button type="submit">Sign in</button>
        {error && (
          <p role="alert" class="error">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function App() {
  const [who, setWho] = useState<WhoAmI | 'signin' | undefined>();
  const [problem, setProblem] = useState<string>();
  const { page, params } = useHash();
  const load = () =>
    getJson<WhoAmI>('/admin/api/whoami').then((answer) => setWho(answer.viewer === null ? 'signin' : answer), (error: unknown) => {
      if (error instanceof ApiError && (error.status === 401 || error.status === 403)) setWho('signin');
      else setProblem((error as Error).message);
    });
  useEffect(() => void load(), []);
  if (problem) return <main id="main"><p role="alert">{problem}</p></main>;
  if (who === undefined) return <main id="main"><p>Loading…</p></main>;
  if (who === 'signin' || who.viewer === null) return <SignIn onSignedIn={() => void load()} />;
  const viewer = who.viewer;
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [name, value] of Object.entries(changes)) {
      next.delete(name);
      if (value === null || value === '') continue;
      // Filters are a comma-separated list in the form, one `where` each in the URL.
      if (name === 'where') for (const part of value.split(',').map((item) => item.trim()).filter(Boolean)) next.append('where', part);
      else next.set(name, value);
    }
    setHash(page, next);
  };
  const Page = { overview: OverviewPage, spend: SpendPage, routing: RoutingPage, cache: CachePage, budgets: BudgetsPage, quality: QualityPage, live: LivePage }[page] ?? OverviewPage;
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      {who.banner && (
        <div class="banner" role="status">
          {who.banner}
        </div>
      )}
      {who.demoMode && (
        <div class="banner demo" role="status">
          Demo mode: no provider keys are configured, so answers come from the built-in simulated models and their costs are what the real models would have cost.
        </div>
      )}
      <header>
        <span class="brand">Frugal</span>
        <nav aria-label="Dashboard pages">
          {PAGES.map((entry) => (
            <a href={`#/${entry.id}${params.toString() && entry.id !== 'budgets' && entry.id !== 'live' ? `?${params}` : ''}`} aria-current={entry.id === page ? 'page' : undefined}>
              {entry.title}
            </a>
          ))}
        </nav>
        <span class="viewer">
          {viewer.kind === 'key' ? `key ${viewer.keyId}` : viewer.kind === 'admin' ? 'master key' : 'open'}
          {viewer.kind !== 'open' && (
            <button type="button" onClick={() => void signOut().then(() => setWho('signin'))}>
              Sign out
            </button>
          )}
        </span>
      </header>
      <main id="main">
        <Page params={params} update={update} />
      </main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
