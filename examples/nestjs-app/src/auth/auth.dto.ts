import { IsEmail, IsNotEmpty, IsOptional, IsString } from "class-validator";

export class SignInDto {
  @IsEmail()
  email!: string;

  @IsString()
  @IsNotEmpty()
  password!: string;

  /** Open the session in this organization: its tokens carry the user's role there. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  organizationId?: string;
}

export class RefreshDto {
  @IsString()
  @IsNotEmpty()
  refreshToken!: string;
}

export class SignOutDto {
  @IsString()
  @IsNotEmpty()
  refreshToken!: string;
}
