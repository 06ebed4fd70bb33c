import { type CanActivate, type ExecutionContext, ForbiddenException, Injectable } from "@nestjs/common";
import { getVerifiedSession, UsersService } from "@hellojohn/nestjs";

/** A real (not impersonated) session of a user whose metadata says `role: "admin"`. Runs after the global HelloJohnGuard. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly users: UsersService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const session = getVerifiedSession(context);
    const user = session !== null && session.impersonator === null ? await this.users.get(session.userId) : null;
    if (user?.metadata.role !== "admin") {
      throw new ForbiddenException({ error: { type: "permission_error", code: "admin_required", message: "This route is for administrators" } });
    }
    return true;
  }
}
