import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Redirect, Route, Switch } from "wouter";
import { SessionProvider, useSession } from "./auth";
import { Shell } from "./layout";
import { EventsPage } from "./pages/events";
import { IntegrityPage } from "./pages/integrity";
import { OverviewPage } from "./pages/overview";
import { PacksPage } from "./pages/packs";
import { SessionsPage } from "./pages/sessions";
import { SignIn } from "./pages/signin";
import { Loading } from "./ui/states";
import "./styles.css";

function App() {
  const { state } = useSession();
  if (state.status === "checking") return <Loading label="Opening the console…" />;
  if (state.status === "signed-out") return <SignIn reason={state.reason} />;
  return (
    <Shell who={state.who}>
      <Switch>
        <Route path="/overview" component={OverviewPage} />
        <Route path="/events" component={EventsPage} />
        <Route path="/sessions" component={SessionsPage} />
        <Route path="/integrity" component={IntegrityPage} />
        <Route path="/packs" component={PacksPage} />
        <Route path="/"><Redirect to="/overview" /></Route>
        <Route><Redirect to="/overview" /></Route>
      </Switch>
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
