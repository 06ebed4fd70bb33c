import type { FirebaseHashParameters } from "../crypto/imported-hashes.js";
import { readAuth0 } from "./auth0.reader.js";
import { readClerk } from "./clerk.reader.js";
import { readFirebase } from "./firebase.reader.js";
import { readHelloJohn } from "./hellojohn.reader.js";
import type { ImportRecord, ImportSource } from "./import-record.js";
import { readSupabase } from "./supabase.reader.js";

/** Options some readers need. */
export interface ReaderOptions {
  /** Firebase's project hash parameters, for its users' password hashes. */
  firebase?: FirebaseHashParameters;
}

/** The streaming reader of one export format: decoded text chunks in, records out. */
export function readerFor(source: ImportSource, options: ReaderOptions = {}): (chunks: AsyncIterable<string>) => AsyncGenerator<ImportRecord> {
  switch (source) {
    case "auth0":
      return readAuth0;
    case "clerk":
      return readClerk;
    case "firebase":
      return (chunks) => readFirebase(chunks, options.firebase);
    case "supabase":
      return (chunks) => readSupabase(chunks);
    case "hellojohn":
      return readHelloJohn;
  }
}

export const IMPORT_SOURCES: readonly ImportSource[] = ["auth0", "clerk", "firebase", "supabase", "hellojohn"];
