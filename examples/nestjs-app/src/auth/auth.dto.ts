import { IsEmail, IsNotEmpty, IsString } from "class-validator";

export class SignInDto {
  @IsEmail()
  email!: string;

  @IsString()
  @IsNotEmpty()
  password!: string;
}

export class SignOutDto {
  @IsString()
  @IsNotEmpty()
  refreshToken!: string;
}
