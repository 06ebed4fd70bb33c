import { Type } from "class-transformer";
import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength } from "class-validator";
import type { Duration, MetadataValue } from "@hellojohn/nestjs";

export class ListUsersQuery {
  @IsOptional()
  @IsString()
  search?: string;

  @IsOptional()
  @IsIn(["active", "disabled"])
  status?: "active" | "disabled";

  @IsOptional()
  @IsString()
  cursor?: string;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  limit?: number;
}

export class UpdateMetadataDto {
  @IsObject()
  metadata!: Record<string, MetadataValue>;
}

export class ImpersonateDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(500)
  reason!: string;

  @IsOptional()
  expiresIn?: Duration;
}
