// Preload (node --import) for a child process whose peak memory a test or the bench measures:
// at exit, writes process.resourceUsage().maxRSS (KiB) to the file named by FERRY_RSS_FILE.
import { writeFileSync } from 'node:fs';

const file = process.env.FERRY_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
