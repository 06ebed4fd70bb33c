import { describe, expect, it } from "vitest";
import { ApiError } from "../domain/api-error.js";
import { HashingAdmission } from "./hashing-admission.js";

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe("HashingAdmission", () => {
  it("runs at most `concurrency` at once, queues up to `queue`, and refuses the rest with a 503", async () => {
    const admission = new HashingAdmission({ concurrency: 2, queue: 1 });
    const gates = [deferred(), deferred(), deferred()];
    const started: number[] = [];
    const runs = gates.map((gate, i) =>
      admission.run(async () => {
        started.push(i);
        await gate.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(admission.stats()).toMatchObject({ running: 2, queued: 1 });

    const refused = await admission.run(async () => "never").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).toMatchObject({ status: 503, code: "server_busy", headers: { "retry-after": "1" } });

    gates[0]?.resolve();
    await runs[0];
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.resolve();
    gates[2]?.resolve();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(admission.stats()).toEqual({ running: 0, queued: 0, completed: 3, rejected: 1 });
  });

  it("hands the slot on when work fails", async () => {
    const admission = new HashingAdmission({ concurrency: 1, queue: 1 });
    const failing = admission.run(async () => {
      throw new Error("argon2 failed");
    });
    const next = admission.run(async () => "ran");
    await expect(failing).rejects.toThrow("argon2 failed");
    await expect(next).resolves.toBe("ran");
    expect(admission.stats()).toMatchObject({ running: 0, queued: 0, completed: 2 });
  });
});
