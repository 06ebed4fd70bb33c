import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, UseGuards } from "@nestjs/common";
import { UsersService } from "@hellojohn/nestjs";
import { AdminGuard } from "./admin.guard.js";
import { ImpersonateDto, ListUsersQuery, UpdateMetadataDto } from "./admin.dto.js";

@Controller("admin/users")
@UseGuards(AdminGuard)
export class AdminController {
  constructor(private readonly users: UsersService) {}

  @Get()
  list(@Query() query: ListUsersQuery) {
    return this.users.list(query);
  }

  @Patch(":id/metadata")
  updateMetadata(@Param("id") id: string, @Body() body: UpdateMetadataDto) {
    return this.users.update(id, { metadata: body.metadata });
  }

  @Post(":id/disable")
  @HttpCode(200)
  disable(@Param("id") id: string) {
    return this.users.disable(id);
  }

  @Post(":id/enable")
  @HttpCode(200)
  enable(@Param("id") id: string) {
    return this.users.enable(id);
  }

  @Post(":id/impersonate")
  @HttpCode(200)
  impersonate(@Param("id") id: string, @Body() body: ImpersonateDto) {
    return this.users.impersonate(id, body);
  }

  @Get(":id/export")
  export(@Param("id") id: string) {
    return this.users.export(id);
  }
}
