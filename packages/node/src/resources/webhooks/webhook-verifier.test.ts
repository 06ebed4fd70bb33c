import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { WebhookVerificationError } from "../../core/errors.js";
import { WebhookVerifier } from "./webhook-verifier.js";

const secret = `whsec_${Buffer.from("a 32 byte secret for this test!!").toString("base64")}`;
const otherSecret = `whsec_${Buffer.from("another secret entirely, 32 byte").toString("base64")}`;
const id = "evt_01J0000000000000000000000Z";
const body = JSON.stringify({
  id,
  type: "user.updated",
  created_at: "2026-01-01T00:00:00.000Z",
  data: {
    id: "usr_01J0000000000000000000000Z",
    email: "a@example.com",
    email_verified: true,
    first_name: "Ada",
    last_name: null,
    phone_number: null,
    avatar_url: null,
    metadata: {},
    created_at: "2025-12-31T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    last_sign_in_at: null,
    disabled: false,
  },
  changed_fields: ["first_name"],
});

/** Headers as the independent standardwebhooks implementation signs them. */
function signed(at: Date, key = secret, payload = body): Record<string, string> {
  return { "webhook-id": id, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": new Webhook(key).sign(id, at, payload) };
}

const refusal = async (promise: Promise<unknown>): Promise<string | undefined> => {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return (error as WebhookVerificationError).code;
  }
};

describe("WebhookVerifier", () => {
  it("verifies what the standardwebhooks package signs, from a string, a Buffer, an ArrayBuffer and a Headers object", async () => {
    const headers = signed(new Date());
    const event = await new WebhookVerifier().verify(body, headers, secret);
    expect(event).toEqual({
      id,
      type: "user.updated",
      createdAt: new Date("2026-01-01T00:00:00.000Z"),
      changedFields: ["firstName"],
      data: expect.objectContaining({ id: "usr_01J0000000000000000000000Z", firstName: "Ada", createdAt: new Date("2025-12-31T00:00:00.000Z") }),
    });
    const bytes = Buffer.from(body);
    await expect(new WebhookVerifier().verify(bytes, headers, secret)).resolves.toMatchObject({ id });
    await expect(new WebhookVerifier().verify(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length), headers, secret)).resolves.toMatchObject({ id });
    await expect(new WebhookVerifier().verify(body, new Headers(headers), secret)).resolves.toMatchObject({ id });
  });

  it("accepts a message signed by several secrets when one of them is ours (secret rotation)", async () => {
    const at = new Date();
    const headers = signed(at);
    headers["webhook-signature"] = `${signed(at, otherSecret)["webhook-signature"]} ${headers["webhook-signature"]}`;
    await expect(new WebhookVerifier().verify(body, headers, secret)).resolves.toMatchObject({ id });
    await expect(new WebhookVerifier().verify(body, headers, otherSecret)).resolves.toMatchObject({ id });
  });

  it("refuses tampering, a wrong secret, stale or future timestamps, missing headers, replays and parsed bodies", async () => {
    const now = new Date();
    const verifier = new WebhookVerifier();
    expect(await refusal(verifier.verify(body.replace("Ada", "Eve"), signed(now), secret))).toBe("invalid_signature");
    expect(await refusal(verifier.verify(body, signed(now), otherSecret))).toBe("invalid_signature");
    expect(await refusal(verifier.verify(body, signed(new Date(now.getTime() - 6 * 60_000)), secret))).toBe("stale_timestamp");
    expect(await refusal(verifier.verify(body, signed(new Date(now.getTime() + 6 * 60_000)), secret))).toBe("stale_timestamp");
    expect(await refusal(verifier.verify(body, { ...signed(now), "webhook-signature": undefined }, secret))).toBe("missing_header");
    expect(await refusal(verifier.verify(body, { ...signed(now), "webhook-timestamp": "soon" }, secret))).toBe("invalid_timestamp");
    expect(await refusal(verifier.verify(body, signed(now), "not a secret!"))).toBe("invalid_secret");
    expect(await refusal(verifier.verify(JSON.parse(body) as never, signed(now), secret))).toBe("invalid_payload");
    const headers = signed(now);
    await verifier.verify(body, headers, secret);
    expect(await refusal(verifier.verify(body, headers, secret))).toBe("replayed");
    // A retry carries a new timestamp and signature: not a replay.
    await expect(verifier.verify(body, signed(new Date(now.getTime() + 1000)), secret)).resolves.toMatchObject({ id });
  });

  it("checks the time window against its own clock", async () => {
    const at = new Date("2026-01-01T00:00:00.000Z");
    const headers = signed(at);
    expect(await refusal(new WebhookVerifier({ now: () => at.getTime() + 301_000 }).verify(body, headers, secret))).toBe("stale_timestamp");
    await expect(new WebhookVerifier({ now: () => at.getTime() + 299_000 }).verify(body, headers, secret)).resolves.toMatchObject({ id });
  });
});
