// The suites' database list is the one `@hellojohn/server/testing` publishes, under the names the suites use.
export { TEST_PG_ADMIN_URL as PG_ADMIN_URL, testDatabases as backends, type TestDatabase as Backend } from "../src/testing.js";
