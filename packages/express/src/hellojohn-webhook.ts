import { checkWebhookOptions, receiveWebhook, type ReceiveWebhookOptions } from "@hellojohn/node";
import type { NextFunction, Request, RequestHandler, Response } from "express";

const MAX_BODY_BYTES = 1024 * 1024;

/** Reads the body when no body parser did (the stream is still unread). */
function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return reject(new Error("Webhook body too large"));
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/**
 * An Express route handler that receives HelloJohn webhooks: it verifies the
 * raw body (Standard Webhooks signature, 5-minute timestamp window, no
 * replays), calls `onEvent` with the typed event, and answers 204, or 400
 * when verification fails, or 500 when `onEvent` throws (HelloJohn retries).
 * Give the route `express.raw({ type: "application/json" })` — or no body
 * parser at all — never `express.json()`: only the raw bytes verify.
 *
 * @example
 * ```ts
 * app.post(
 *   "/webhooks/hellojohn",
 *   express.raw({ type: "application/json" }),
 *   hellojohnWebhook({
 *     secret: process.env.HELLOJOHN_WEBHOOK_SECRET!,
 *     onEvent: async (event) => {
 *       if (event.type === "user.deleted") await db.customers.delete(event.data.id);
 *     },
 *   }),
 * );
 * ```
 */
export function hellojohnWebhook(options: ReceiveWebhookOptions<Request>): RequestHandler {
  const checked = checkWebhookOptions(options, "hellojohnWebhook");
  return (req: Request, res: Response, next: NextFunction) => {
    const body: unknown = req.body;
    const raw = body === undefined && !req.complete ? readBody(req) : Promise.resolve(body);
    raw
      .then((rawBody) => receiveWebhook(rawBody, req.headers, checked, req))
      .then((answer) => {
        if (answer.body === undefined) res.status(answer.status).end();
        else res.status(answer.status).json(answer.body);
      })
      .catch(next);
  };
}
