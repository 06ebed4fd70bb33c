import type { RunningApp } from "./journey.js";

export type Json = Record<string, any>;

/** What an app answered: status, JSON body (`{}` when empty) and any `Set-Cookie`. */
export interface AppResponse {
  status: number;
  body: Json;
  setCookie: string | null;
}

/** Calls an example app over real HTTP, with a bearer token or a cookie, and a JSON body. */
export function appClient(app: () => RunningApp) {
  return async (method: string, path: string, options: { token?: string; cookie?: string; body?: unknown } = {}): Promise<AppResponse> => {
    const headers: Record<string, string> = {};
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
    if (options.cookie !== undefined) headers.cookie = options.cookie;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${app().url}${path}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    const text = await response.text();
    return { status: response.status, body: (text === "" ? {} : JSON.parse(text)) as Json, setCookie: response.headers.get("set-cookie") };
  };
}
