import { sql, type Expression, type RawBuilder } from "kysely";

/** `column LIKE '%text%'` with `%`, `_` and `\` in `text` matching themselves, in both dialects. */
export function likeContains(column: Expression<unknown>, text: string): RawBuilder<boolean> {
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return sql<boolean>`${column} like ${pattern} escape '\\'`;
}
