import { Controller, HttpCode, Inject, NotFoundException, Post, Req, type RawBodyRequest } from "@nestjs/common";
import { Public, verifyWebhookRequest } from "@hellojohn/nestjs";
import type { Request } from "express";
import { LocalUsersService } from "./local-users.service.js";

/** The injection token of the webhook endpoint's signing secret (`whsec_…`); empty turns the route off. */
export const WEBHOOK_SECRET = "WEBHOOK_SECRET";

@Controller("webhooks")
export class WebhooksController {
  constructor(
    @Inject(WEBHOOK_SECRET) private readonly secret: string,
    private readonly localUsers: LocalUsersService,
  ) {}

  /** HelloJohn's events keep the local users table in sync. Public: a webhook carries a signature, not a session. */
  @Public()
  @Post("hellojohn")
  @HttpCode(204)
  async receive(@Req() request: RawBodyRequest<Request>): Promise<void> {
    if (this.secret === "") throw new NotFoundException();
    // request.rawBody exists because main.ts creates the app with { rawBody: true }.
    this.localUsers.apply(await verifyWebhookRequest(request, this.secret));
  }
}
