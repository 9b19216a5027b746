import type pg from 'pg';
import type { Logger } from 'pino';
import type { TagFamily } from '../enums';
import { expressionProblem, TAG_KEY, type CompiledTag } from '../insights/tags/definitions';
import { compileCondition } from '../insights/tags/expression';
import { latestTagDefinitions, saveTagVersion, type TagDefinitionRow } from '../sources/crm/tagDefinitions';

export interface TagDefinitionInput {
  key: string;
  label: string;
  family: TagFamily;
  description: string;
  expression: string;
}

/** A change refused because of its input; the message says what to fix. */
export class TagDefinitionError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/**
 * The tag definitions in force (the latest version of each key), compiled, held in memory so that a
 * request never waits for them. A change made here applies from the next request; other replicas
 * pick it up within `refreshSeconds`.
 */
export class TagRegistry {
  private latest: TagDefinitionRow[] = [];
  private compiled: CompiledTag[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger?: Logger,
  ) {}

  /** Loads the definitions, then reloads them every `refreshSeconds` (0: never) until stop(). */
  async start(refreshSeconds: number): Promise<void> {
    await this.refresh();
    if (refreshSeconds > 0) {
      this.timer = setInterval(
        () => void this.refresh().catch((err: unknown) => this.logger?.warn({ err }, 'tag definitions refresh failed')),
        refreshSeconds * 1000,
      );
      this.timer.unref();
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    const rows = await latestTagDefinitions(this.pool);
    const compiled: CompiledTag[] = [];
    for (const definition of rows.filter((r) => r.enabled)) {
      try {
        compiled.push({ definition, condition: compileCondition(definition.expression) });
      } catch (err) {
        // Saved definitions were validated; one that no longer compiles is skipped, not fatal.
        this.logger?.error({ err, key: definition.key, version: definition.version }, 'tag definition does not compile; skipped');
      }
    }
    this.latest = rows;
    this.compiled = compiled;
  }

  /** The enabled definitions, compiled, in key order. */
  enabled(): CompiledTag[] {
    return this.compiled;
  }

  /** The latest version of every key, disabled ones included when asked. */
  definitions(includeDisabled: boolean): TagDefinitionRow[] {
    return includeDisabled ? this.latest : this.latest.filter((r) => r.enabled);
  }

  /** Saves a new version of `input.key` (enabled), after checking it; returns it. */
  async upsert(input: TagDefinitionInput, actor: string): Promise<TagDefinitionRow> {
    if (!TAG_KEY.test(input.key))
      throw new TagDefinitionError('`key` must be 2–63 characters: a lower-case letter, then letters, digits or _.', 'key');
    if (input.label.trim() === '') throw new TagDefinitionError('`label` is empty.', 'label');
    const problem = expressionProblem(input.expression);
    if (problem) throw new TagDefinitionError(`The expression cannot be used: ${problem}`, 'expression');
    return this.saveVersion(input.key, () => ({ ...input, label: input.label.trim(), enabled: true }), actor);
  }

  /** Saves a disabled version of `key`; null when there is no such tag. */
  async disable(key: string, actor: string): Promise<TagDefinitionRow | null> {
    const current = this.latest.find((r) => r.key === key);
    if (!current) return null;
    return this.saveVersion(key, () => ({ ...current, enabled: false }), actor);
  }

  private async saveVersion(
    key: string,
    next: () => Omit<TagDefinitionRow, 'key' | 'version' | 'created_at' | 'created_by'>,
    actor: string,
  ): Promise<TagDefinitionRow> {
    const row = await saveTagVersion(this.pool, key, next, actor);
    await this.refresh();
    return row;
  }
}
