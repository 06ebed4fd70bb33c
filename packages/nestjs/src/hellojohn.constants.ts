/** Injection token of the module's options; override it in tests with `.overrideProvider(HELLOJOHN_OPTIONS)`. */
export const HELLOJOHN_OPTIONS = Symbol.for("hellojohn:module-options");

/** Route metadata key set by `@Public()`. */
export const IS_PUBLIC_KEY = "hellojohn:is-public";

/** Route metadata key set by `@Roles()`: the role requirement `HelloJohnGuard` enforces. */
export const ROLES_KEY = "hellojohn:roles";
