import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  LoggerService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import type { Config } from '@backstage/config';
import {
  AppTemplate,
  appCatalogFileSchema,
  appTemplateSchema,
  issuesOf,
} from '@vworkspace/backstage-plugin-fleet-common';
import { parseDocument } from 'yaml';

/** The demo catalog shipped with this package: the apps kube-sim's charts serve. @public */
export function bundledDemoCatalogPath(): string {
  return resolvePackagePath(
    '@vworkspace/backstage-plugin-fleet-backend',
    'catalog/demo-apps.yaml',
  );
}

/**
 * Which catalog files to read: `fleet.appCatalog.files`, else the bundled demo catalog when
 * `fleet.demo.enabled`, else none. Paths are relative to the backend's working directory, as
 * the catalog's file locations are.
 */
export function readAppCatalogFiles(config: Config): string[] {
  const files = config.getOptionalStringArray('fleet.appCatalog.files');
  if (files && files.length > 0) return files;
  if (config.getOptionalBoolean('fleet.demo.enabled')) {
    return [bundledDemoCatalogPath()];
  }
  return [];
}

/** Thrown when a catalog file is unreadable or invalid; the message names file, entry and field. @public */
export class AppCatalogError extends Error {
  override readonly name = 'AppCatalogError';
}

/** One entry of a catalog file as error messages name it: `apps[2] (id "mattermost")`. */
function describeEntry(index: number, raw: unknown): string {
  const id =
    typeof raw === 'object' && raw !== null && 'id' in raw
      ? (raw as { id: unknown }).id
      : undefined;
  return typeof id === 'string'
    ? `apps[${index}] (id "${id}")`
    : `apps[${index}]`;
}

async function readCatalogFile(
  file: string,
): Promise<Array<{ app: AppTemplate; entry: string }>> {
  let text: string;
  try {
    text = await readFile(resolve(file), 'utf8');
  } catch (error) {
    throw new AppCatalogError(
      `App catalog file ${file} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const document = parseDocument(text, { prettyErrors: true });
  if (document.errors.length > 0) {
    throw new AppCatalogError(
      `App catalog file ${file} is not valid YAML: ${document.errors[0].message}`,
    );
  }
  const raw: unknown = document.toJS();
  const shape = appCatalogFileSchema.safeParse(raw);
  if (shape.success) {
    return shape.data.apps.map((app, index) => ({
      app,
      entry: describeEntry(index, app),
    }));
  }
  // Validate entry by entry, so the message says which app is wrong and where in it.
  const apps = (raw as { apps?: unknown } | null)?.apps;
  if (!Array.isArray(apps)) {
    const issues = issuesOf(shape.error)
      .map(i => `${i.path}: ${i.message}`)
      .join('; ');
    throw new AppCatalogError(
      `App catalog file ${file} is invalid: ${issues} (expected a top-level "apps" list)`,
    );
  }
  const problems: string[] = [];
  apps.forEach((entry, index) => {
    const parsed = appTemplateSchema.safeParse(entry);
    if (!parsed.success) {
      for (const issue of issuesOf(parsed.error)) {
        problems.push(
          `${describeEntry(index, entry)}: ${issue.path}: ${issue.message}`,
        );
      }
    }
  });
  if (problems.length === 0) {
    // The entries are fine, so the problem is beside them (e.g. an unknown top-level key).
    for (const issue of issuesOf(shape.error)) {
      problems.push(`${issue.path}: ${issue.message}`);
    }
  }
  throw new AppCatalogError(
    `App catalog file ${file} is invalid: ${problems.join('; ')}`,
  );
}

/**
 * The curated apps the fleet offers: chart coordinates, default values, capability
 * annotations, backup policy and operation templates, read from YAML files at start-up.
 * @public
 */
export class AppCatalog {
  private readonly byId: ReadonlyMap<string, AppTemplate>;

  private constructor(private readonly apps: ReadonlyArray<AppTemplate>) {
    this.byId = new Map(apps.map(app => [app.id, app]));
  }

  /**
   * Reads the files named by `fleet.appCatalog.files` (or the bundled demo catalog when the
   * demo is enabled). Throws an {@link AppCatalogError} naming the file, entry and field of the
   * first invalid file, or both files of a duplicate id.
   */
  static async fromConfig(
    config: Config,
    options: { logger: LoggerService },
  ): Promise<AppCatalog> {
    const files = readAppCatalogFiles(config);
    const catalog = await AppCatalog.fromFiles(files);
    if (files.length === 0) {
      options.logger.info(
        'App catalog is empty: no fleet.appCatalog.files configured',
      );
    } else {
      options.logger.info(
        `App catalog: ${catalog.list().length} apps from ${files.join(', ')}`,
      );
    }
    return catalog;
  }

  /** Reads catalog files, in order; ids must be unique across all of them. */
  static async fromFiles(files: string[]): Promise<AppCatalog> {
    const seen = new Map<string, string>();
    const apps: AppTemplate[] = [];
    for (const file of files) {
      for (const { app, entry } of await readCatalogFile(file)) {
        const first = seen.get(app.id);
        if (first) {
          throw new AppCatalogError(
            `App catalog file ${file}: ${entry}: id: "${app.id}" is already defined by ${first}`,
          );
        }
        seen.set(app.id, `${file} ${entry}`);
        apps.push(app);
      }
    }
    return new AppCatalog(apps);
  }

  /** Every app, in file order. */
  list(): AppTemplate[] {
    return [...this.apps];
  }

  /** The app with this id, if the catalog has it. */
  get(id: string): AppTemplate | undefined {
    return this.byId.get(id);
  }
}
