import type { HelloJohnEvent } from "@hellojohn/fastify";

/** The app's own row about a user: what a billing or profile table would keep. */
export interface LocalUser {
  id: string;
  email: string;
  name: string | null;
  disabled: boolean;
  updatedAt: Date;
}

/**
 * The app's users table, kept in sync from HelloJohn's events. Deliveries can
 * arrive late or twice (a retry), so a row only moves forward in `updatedAt`
 * and a deleted user is remembered so a late update cannot bring it back.
 */
export class LocalUsers {
  readonly rows = new Map<string, LocalUser>();
  readonly #deleted = new Set<string>();

  apply(event: HelloJohnEvent): void {
    switch (event.type) {
      case "user.created":
      case "user.updated":
      case "user.disabled":
      case "user.enabled": {
        const user = event.data;
        const current = this.rows.get(user.id);
        if (this.#deleted.has(user.id) || (current !== undefined && current.updatedAt > user.updatedAt)) return;
        const name = [user.firstName, user.lastName].filter((part) => part !== null).join(" ");
        this.rows.set(user.id, { id: user.id, email: user.email, name: name === "" ? null : name, disabled: user.disabled, updatedAt: user.updatedAt });
        return;
      }
      case "user.deleted":
        this.#deleted.add(event.data.id);
        this.rows.delete(event.data.id);
        return;
      default:
        return;
    }
  }
}
