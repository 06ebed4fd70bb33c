import { Body, Controller, HttpCode, Post, Res } from "@nestjs/common";
import { HelloJohn, InjectHelloJohn, Public } from "@hellojohn/nestjs";
import type { Response } from "express";
import { RefreshDto, SignInDto, SignOutDto } from "./auth.dto.js";

export const SESSION_COOKIE = "hj_session";

@Controller("auth")
export class AuthController {
  constructor(@InjectHelloJohn() private readonly hj: HelloJohn) {}

  @Public()
  @Post("sign-in")
  @HttpCode(200)
  async signIn(@Body() body: SignInDto, @Res({ passthrough: true }) res: Response) {
    const session = await this.hj.sessions.signInWithPassword(body);
    res.cookie(SESSION_COOKIE, session.accessToken, { httpOnly: true, sameSite: "lax", expires: session.expiresAt });
    return { user: session.user, accessToken: session.accessToken, refreshToken: session.refreshToken, expiresAt: session.expiresAt };
  }

  // Refreshing re-reads the user's role: a promotion or a removal shows in the new token.
  @Public()
  @Post("refresh")
  @HttpCode(200)
  async refresh(@Body() body: RefreshDto, @Res({ passthrough: true }) res: Response) {
    const tokens = await this.hj.sessions.refresh(body.refreshToken);
    res.cookie(SESSION_COOKIE, tokens.accessToken, { httpOnly: true, sameSite: "lax", expires: tokens.expiresAt });
    return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt };
  }

  @Post("sign-out")
  @HttpCode(200)
  async signOut(@Body() body: SignOutDto, @Res({ passthrough: true }) res: Response) {
    const result = await this.hj.sessions.signOut(body.refreshToken);
    res.clearCookie(SESSION_COOKIE);
    return result;
  }
}
