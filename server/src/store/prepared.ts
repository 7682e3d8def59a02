// Queries on hot paths (every send, every membership check), built and compiled to SQL once per
// dialect instead of on every call. Kysely builds an immutable operation tree per query and compiles
// it to SQL each time, which was about a fifth of a send's CPU (docs/performance.md). A prepared query
// is built once with stand-ins for its values; each run puts the real values in their places.
import { CompiledQuery, type Compilable, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.ts';
import { dialectOf, type Dialect } from './dialect.ts';

/** A database or one of its transactions. */
type Db = Kysely<Database>;

/** Where one named value goes among a compiled query's parameters. */
class Slot {
  constructor(readonly name: string) {}
}

/**
 * The build function gets the values as stand-ins: it may pass them to Kysely as values (in `where`,
 * `set`, `values`) but never look at them, and the query's shape must not depend on them.
 */
export type PreparedBuild<V, R> = (db: Db, values: V) => Compilable<R>;

export class PreparedQuery<V extends object, R> {
  private readonly compiled = new Map<Dialect, CompiledQuery<R>>();

  constructor(private readonly build: PreparedBuild<V, R>) {}

  /** Runs the query with `values` on `db` (or a transaction). */
  execute(db: Db, values: V): Promise<QueryResult<R>> {
    const compiled = this.compiledFor(db);
    const parameters = compiled.parameters.map((p) =>
      p instanceof Slot ? (values as Record<string, unknown>)[p.name] : p,
    );
    return db.executeQuery<R>({ ...compiled, parameters });
  }

  async rows(db: Db, values: V): Promise<R[]> {
    return (await this.execute(db, values)).rows;
  }

  async first(db: Db, values: V): Promise<R | undefined> {
    return (await this.execute(db, values)).rows[0];
  }

  private compiledFor(db: Db): CompiledQuery<R> {
    const dialect = dialectOf(db);
    let compiled = this.compiled.get(dialect);
    if (!compiled) {
      const standIns = new Proxy({} as V, {
        get: (_target, name) => new Slot(String(name)),
      });
      compiled = this.build(db, standIns).compile();
      this.compiled.set(dialect, compiled);
    }
    return compiled;
  }
}

/** A query whose shape never changes, compiled once per dialect; see PreparedBuild for the rules. */
export const prepared = <V extends object, R>(build: PreparedBuild<V, R>) => new PreparedQuery(build);

/** A fixed statement with no values (`savepoint`, `release`): the same text on both dialects. */
export const fixedStatement = (text: string): CompiledQuery => CompiledQuery.raw(text);
