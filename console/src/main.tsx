import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Redirect, Route, Switch } from "wouter";
import { SessionProvider, useSession } from "./auth";
import { Shell } from "./layout";
import { EventsPage } from "./pages/events";
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
        <Route path="/events" component={EventsPage} />
        <Route path="/"><Redirect to="/events" /></Route>
        <Route path="/signin"><Redirect to="/events" /></Route>
        <Route><Redirect to="/events" /></Route>
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
