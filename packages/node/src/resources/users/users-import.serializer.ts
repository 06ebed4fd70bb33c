import { ValidationError } from "../../core/errors.js";
import type { ImportUserParams, ImportUsersParams } from "./users-import.interface.js";

const FIELDS: Record<keyof ImportUserParams, string> = {
  id: "id",
  email: "email",
  password: "password",
  passwordHash: "password_hash",
  firstName: "first_name",
  lastName: "last_name",
  phoneNumber: "phone_number",
  avatarUrl: "avatar_url",
  emailVerified: "email_verified",
  metadata: "metadata",
  disabled: "disabled",
  createdAt: "created_at",
};

/** The import batch in wire format; an unknown field is refused, naming its row. */
export function serializeImportUsers(params: ImportUsersParams): { users: Record<string, unknown>[] } {
  if (typeof params !== "object" || params === null || !Array.isArray(params.users)) {
    throw new ValidationError('"users" must be an array', { type: "validation_error", code: "invalid_type", param: "users" });
  }
  return {
    users: params.users.map((user, index) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(user)) {
        const wireKey = FIELDS[key as keyof ImportUserParams];
        if (wireKey === undefined) {
          throw new ValidationError(`"users.${index}.${key}" is not a known field`, { type: "validation_error", code: "unknown_param", param: `users.${index}.${key}` });
        }
        if (value !== undefined) out[wireKey] = value instanceof Date ? value.toISOString() : value;
      }
      return out;
    }),
  };
}
