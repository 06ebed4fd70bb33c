import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

it("runs every users operation against the embedded server", async () => {
  const tour = new URL("./tour.ts", import.meta.url).pathname;
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", tour], { cwd: new URL("..", import.meta.url).pathname });
  for (const operation of [
    "users.create",
    "users.get",
    "users.getByEmail",
    "users.update",
    "users.list",
    "users.impersonate",
    "users.disable",
    "users.enable",
    "users.export",
    "users.delete",
    "users.listSessions",
    "users.revokeSession",
    "organizations.updateMember",
  ]) {
    expect(stdout).toContain(operation);
  }
  expect(stdout).toContain("{ signIn: '403 user_disabled', verifyToken: 'revoked' }");
  expect(stdout).toContain("NotFoundError 404 user_not_found");
  expect(stdout).toContain("{ activeSessions: 0, oldPassword: 401 }");
  expect(stdout).toContain("afterRefresh: { orgRole: 'member', admin: false }");
  expect(stdout).toContain("Every users operation worked.");
  expect(stdout).not.toMatch(/sk_[0-9A-Z]{26}_/);
}, 60_000);
