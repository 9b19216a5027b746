/**
 * The bundled provider's accounts file (DATA_DIR/social/accounts.json by default): a JSON array of
 * accounts as `socialAccountsSchema` describes them, written by the demo seed, read by the provider.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { socialAccountsSchema, type SocialAccountData } from './provider';

/** Where `npm run seed` keeps the bundled provider's accounts, under DATA_DIR. */
export function socialAccountsPath(dataDir: string): string {
  return path.join(dataDir, 'social', 'accounts.json');
}

/** Writes the accounts as a JSON array (one account a line), atomically; creates the directory. */
export function saveSocialAccounts(file: string, accounts: SocialAccountData[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `[\n${accounts.map((a) => JSON.stringify(a)).join(',\n')}\n]\n`, 'utf8');
  renameSync(tmp, file);
}

/** Reads a file written by `saveSocialAccounts`; throws an error naming the file when it is missing or bad. */
export function loadSocialAccounts(file: string): SocialAccountData[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(
      code === 'ENOENT'
        ? `social accounts file ${file} does not exist`
        : `cannot read social accounts file ${file}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`social accounts file ${file} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  const parsed = socialAccountsSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
    throw new Error(`social accounts file ${file} is not a list of social accounts: ${issues.join('; ')}${more}`);
  }
  return parsed.data;
}
