import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, ConsoleApiError, setCsrfToken, type ConsoleSession } from "./api.js";
import { Notice, PageTitle } from "./components.js";
import { OrganizationPage, OrganizationsPage } from "./pages/organizations-page.js";
import { UserPage } from "./pages/user-page.js";
import { UsersPage } from "./pages/users-page.js";
import { WebhookPage, WebhooksPage } from "./pages/webhooks-page.js";
import { href, useRoute } from "./router.js";
import "./styles.css";

type State = { kind: "loading" } | { kind: "signed-out"; message: string } | { kind: "signed-in"; session: ConsoleSession };

/** Signs in with the login link's token (from the URL fragment, which never reaches the server's logs), or resumes the cookie session. */
async function start(): Promise<State> {
  const match = /^#login=([A-Za-z0-9_-]+)$/.exec(location.hash);
  try {
    let session: ConsoleSession;
    if (match?.[1] !== undefined) {
      // Drop the token from the address bar and history before using it.
      history.replaceState(null, "", `${location.pathname}${href.users}`);
      session = await api<ConsoleSession>("POST", "/login", { token: match[1] });
    } else {
      session = await api<ConsoleSession>("GET", "/session");
    }
    setCsrfToken(session.csrf_token);
    return { kind: "signed-in", session };
  } catch (error) {
    const message = error instanceof ConsoleApiError ? error.message : "The server could not be reached";
    return { kind: "signed-out", message };
  }
}

function Console({ session, onSignOut }: { session: ConsoleSession; onSignOut: () => void }) {
  const route = useRoute();
  const page =
    route.page === "user" ? (
      <UserPage key={route.id} id={route.id} />
    ) : route.page === "organizations" ? (
      <OrganizationsPage />
    ) : route.page === "organization" ? (
      <OrganizationPage key={route.id} id={route.id} />
    ) : route.page === "webhooks" ? (
      <WebhooksPage />
    ) : route.page === "webhook" ? (
      <WebhookPage key={route.id} id={route.id} />
    ) : (
      <UsersPage />
    );
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <span class="brand">HelloJohn console</span>
        <nav aria-label="Main">
          <a href={href.users} aria-current={route.page === "users" || route.page === "user" ? "page" : undefined}>
            Users
          </a>
          <a href={href.organizations} aria-current={route.page.startsWith("organization") ? "page" : undefined}>
            Organizations
          </a>
          <a href={href.webhooks} aria-current={route.page.startsWith("webhook") ? "page" : undefined}>
            Webhooks
          </a>
        </nav>
        <span class="who">
          {session.operator} · <code>{session.tenant_id}</code>
        </span>
        <button type="button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main">{page}</main>
    </>
  );
}

function App() {
  const [state, setState] = useState<State>({ kind: "loading" });
  useEffect(() => void start().then(setState), []);
  if (state.kind === "loading")
    return (
      <main>
        <p>Loading…</p>
      </main>
    );
  if (state.kind === "signed-out") {
    return (
      <main id="main">
        <PageTitle>HelloJohn console</PageTitle>
        <Notice kind="error">{state.message}</Notice>
        <p>
          Run <code>hellojohn-server console --tenant TENANT_ID</code> on the server and open the one-time link it prints.
        </p>
      </main>
    );
  }
  return <Console session={state.session} onSignOut={() => void api("POST", "/logout", {}).finally(() => setState({ kind: "signed-out", message: "Signed out" }))} />;
}

const root = document.getElementById("app");
if (root !== null) render(<App />, root);
