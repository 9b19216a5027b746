import { loadSafelist } from './safelist';

/** `npm run operations`: the safelisted operations and their ids (sha256 of the file's text). */
const { names } = loadSafelist();
for (const [hash, file] of names) process.stdout.write(`${hash}  ${file}\n`);
