declare const __SERVER_VERSION__: string;
/** This package's version. */
// Defined by the build (and the test config); sources run directly (tsx, benches) have no version.
export const VERSION: string = typeof __SERVER_VERSION__ === "string" ? __SERVER_VERSION__ : "0.0.0-source";
