import { Controller, Get } from "@nestjs/common";
import { UsersService, VerifiedSession, type VerifiedToken } from "@hellojohn/nestjs";

@Controller("me")
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  me(@VerifiedSession() session: VerifiedToken) {
    return this.users.get(session.userId);
  }
}
