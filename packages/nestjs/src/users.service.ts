import type { Organizations, Users } from "@hellojohn/node";

/**
 * The users API, injectable: `constructor(@Inject(UsersService) private readonly users: UsersService)`.
 * It is the shared client's `users` namespace, with the core's types.
 *
 * @example
 * ```ts
 * @Controller("admin/users")
 * export class AdminController {
 *   constructor(@Inject(UsersService) private readonly users: UsersService) {}
 *   @Get(":id") get(@Param("id") id: string) { return this.users.get(id); }
 * }
 * ```
 */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the abstract class is Nest's injection token, the interface its type; the provider is the client's namespace, so no member is left uninitialized.
export abstract class UsersService {}
export interface UsersService extends Pick<Users, keyof Users> {}

/** The organizations API, injectable like {@link UsersService}. */
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: an injection token and its type, as for UsersService.
export abstract class OrganizationsService {}
export interface OrganizationsService extends Pick<Organizations, keyof Organizations> {}
