import { useEffect, useState } from "preact/hooks";

/** The console's pages, addressed by the URL fragment so the server serves one HTML file. */
export type Route =
  | { page: "users" }
  | { page: "user"; id: string }
  | { page: "organizations" }
  | { page: "organization"; id: string }
  | { page: "webhooks" }
  | { page: "webhook"; id: string };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  if (parts[0] === "users" && parts[1] !== undefined && parts[1] !== "") return { page: "user", id: parts[1] };
  if (parts[0] === "organizations" && parts[1] !== undefined && parts[1] !== "") return { page: "organization", id: parts[1] };
  if (parts[0] === "organizations") return { page: "organizations" };
  if (parts[0] === "webhooks" && parts[1] !== undefined && parts[1] !== "") return { page: "webhook", id: parts[1] };
  if (parts[0] === "webhooks") return { page: "webhooks" };
  return { page: "users" };
}

export const href = {
  users: "#/users",
  user: (id: string) => `#/users/${encodeURIComponent(id)}`,
  organizations: "#/organizations",
  organization: (id: string) => `#/organizations/${encodeURIComponent(id)}`,
  webhooks: "#/webhooks",
  webhook: (id: string) => `#/webhooks/${encodeURIComponent(id)}`,
};

/** The current route, following `hashchange`. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(location.hash));
    addEventListener("hashchange", onChange);
    return () => removeEventListener("hashchange", onChange);
  }, []);
  return route;
}
