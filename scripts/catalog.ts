// npm run catalog -- build [FIXTURES_DIR]        re-make catalog/*.csv from the public extracts (tests/fixtures/instance-catalog)
// npm run catalog -- refresh aws|azure|gcp [--region R]...   store current prices (catalog_prices)
import path from 'node:path';
import { buildCatalog } from './catalog-build';

const USAGE = `usage: npm run catalog -- build [FIXTURES_DIR]
       npm run catalog -- refresh aws|azure|gcp [--region REGION]...`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'build') {
    const fixtures = path.resolve(rest[0] ?? path.join(process.cwd(), 'tests/fixtures/instance-catalog'));
    const counts = buildCatalog(fixtures, path.join(process.cwd(), 'catalog'));
    for (const [what, n] of Object.entries(counts)) console.log(`${what}: ${n}`);
    return 0;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
