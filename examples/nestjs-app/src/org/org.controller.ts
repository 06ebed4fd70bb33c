import { Controller, Get } from "@nestjs/common";
import { OrganizationsService, Roles, VerifiedSession, type VerifiedToken } from "@hellojohn/nestjs";

/** For organization admins only: the global HelloJohnGuard checks the session token's org_role. */
@Controller("org")
@Roles("admin")
export class OrgController {
  constructor(private readonly organizations: OrganizationsService) {}

  @Get("members")
  members(@VerifiedSession() session: VerifiedToken) {
    return this.organizations.listMembers(session.orgId as string);
  }
}
