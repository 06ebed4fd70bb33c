import type { AdapterOptions, HelloJohnRequestState } from "@hellojohn/node";

/** Options of {@link hellojohn}: the client's options (or an existing `client`), and the `cookieName` to read the token from. */
export interface HelloJohnExpressOptions extends AdapterOptions {}

declare global {
  namespace Express {
    interface Request {
      /** Set by `app.use(hellojohn())`. */
      hj: HelloJohnRequestState;
    }
  }
}
