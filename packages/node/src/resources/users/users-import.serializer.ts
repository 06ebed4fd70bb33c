import { ValidationError } from "../../core/errors.js";
import { mapsEveryKey, toWire, type Wire, type WireNames } from "../../core/wire.js";
import type { ImportUserParams, ImportUsersParams, ImportUsersResult } from "./users-import.interface.js";
import { PROFILE_FIELDS } from "./user.serializer.js";

const FIELDS: WireNames<ImportUserParams, Wire<"ImportUsersRequest">["users"][number]> = {
  ...PROFILE_FIELDS,
  id: "id",
  password: "password",
  passwordHash: "password_hash",
  disabled: "disabled",
  createdAt: "created_at",
};

/** The import batch in wire format; an unknown field is refused, naming its row. */
export function serializeImportUsers(params: ImportUsersParams): { users: Record<string, unknown>[] } {
  if (typeof params !== "object" || params === null || !Array.isArray(params.users)) {
    throw new ValidationError('"users" must be an array', { type: "validation_error", code: "invalid_type", param: "users" });
  }
  return { users: params.users.map((user, index) => toWire(user, FIELDS, `users.${index}.`)) };
}

export function deserializeImportResult(wire: Wire<"ImportUsersResult">): ImportUsersResult {
  const { created, skipped, refused, results, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return {
    created,
    skipped,
    refused,
    results: results.map(({ index, status, id, email, error }) => ({
      index,
      status,
      id,
      email,
      error: error == null ? null : { code: error.code, message: error.message, param: error.param },
    })),
  };
}
