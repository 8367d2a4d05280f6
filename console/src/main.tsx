// First: the session check and the first screen's data and code are asked for at once.
import { loadEventsPage } from "./prefetch";
import { lazy, StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { Redirect, Route, Switch } from "wouter";
import { SessionProvider, useSession } from "./auth";
import { Shell } from "./layout";
import { SignIn } from "./pages/signin";
import { Loading } from "./ui/states";
import "./styles.css";

// Each page is its own chunk, loaded when opened: Events does not wait for the Sessions page's
// player or the Overview's charts.
const LazyEventsPage = lazy(() => loadEventsPage().then((m) => ({ default: m.EventsPage })));
// Once its code is here, the Events page renders without suspending: a suspended page is
// revealed no sooner than React's fallback throttle (300 ms) allows.
let eventsLoaded: typeof import("./pages/events") | undefined;
if (window.location.pathname === "/events") void loadEventsPage().then((m) => (eventsLoaded = m));
function EventsPage() {
  return eventsLoaded ? <eventsLoaded.EventsPage /> : <LazyEventsPage />;
}
const OverviewPage = lazy(() => import("./pages/overview").then((m) => ({ default: m.OverviewPage })));
const SessionsPage = lazy(() => import("./pages/sessions").then((m) => ({ default: m.SessionsPage })));
const IntegrityPage = lazy(() => import("./pages/integrity").then((m) => ({ default: m.IntegrityPage })));
const PacksPage = lazy(() => import("./pages/packs").then((m) => ({ default: m.PacksPage })));

function App() {
  const { state } = useSession();
  if (state.status === "checking") return <Loading label="Opening the console…" />;
  if (state.status === "signed-out") return <SignIn reason={state.reason} />;
  return (
    <Shell who={state.who}>
      <Suspense fallback={<Loading label="Opening the page…" />}>
        <Switch>
          <Route path="/overview" component={OverviewPage} />
          <Route path="/events" component={EventsPage} />
          <Route path="/sessions" component={SessionsPage} />
          <Route path="/integrity" component={IntegrityPage} />
          <Route path="/packs" component={PacksPage} />
          <Route path="/"><Redirect to="/overview" /></Route>
          <Route><Redirect to="/overview" /></Route>
        </Switch>
      </Suspense>
    </Shell>
  );
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <SessionProvider>
      <App />
    </SessionProvider>
  </StrictMode>,
);
