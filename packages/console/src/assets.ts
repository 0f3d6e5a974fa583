/** Where the built console is on disk (next to this file's `dist/`). */
import { join } from 'node:path';

/** The directory of the Vite build: `index.html` plus hashed `assets/*`. */
export const CONSOLE_ASSETS_DIR = join(__dirname, 'app');
/** The console's single HTML page. */
export const CONSOLE_INDEX_FILE = join(CONSOLE_ASSETS_DIR, 'index.html');
