import { Body, Controller, Get, HttpCode, Post } from "@nestjs/common";
import { UsersService, VerifiedSession, type VerifiedToken } from "@hellojohn/nestjs";
import { IsString } from "class-validator";

export class ChangePasswordDto {
  @IsString()
  password!: string;
}

@Controller("me")
export class MeController {
  constructor(private readonly users: UsersService) {}

  @Get()
  me(@VerifiedSession() session: VerifiedToken) {
    return this.users.get(session.userId);
  }

  /**
   * Changing your own password keeps this session and signs every other one out.
   * (A production app would also ask for the current password, or a recent sign-in.)
   */
  @Post("password")
  @HttpCode(200)
  async changePassword(@VerifiedSession() session: VerifiedToken, @Body() body: ChangePasswordDto) {
    await this.users.update(session.userId, { password: body.password, revokeSessions: false });
    let revoked = 0;
    for await (const other of this.users.listSessions(session.userId)) {
      if (other.status !== "active" || other.id === session.sessionId) continue;
      await this.users.revokeSession(session.userId, other.id);
      revoked++;
    }
    return { revokedSessions: revoked };
  }
}
