import { PrismaPg } from '@prisma/adapter-pg';
import { requireDatabaseUrl } from '../env';
import { PrismaClient } from '../generated/prisma/client';

const globalForPrisma = globalThis as unknown as { burnratePrisma?: PrismaClient };

/** The one Prisma client of the process (CRUD on sources and runs). */
export function getPrisma(): PrismaClient {
  if (!globalForPrisma.burnratePrisma) {
    const adapter = new PrismaPg({ connectionString: requireDatabaseUrl() });
    globalForPrisma.burnratePrisma = new PrismaClient({ adapter });
  }
  return globalForPrisma.burnratePrisma;
}

export async function disconnectPrisma(): Promise<void> {
  const client = globalForPrisma.burnratePrisma;
  globalForPrisma.burnratePrisma = undefined;
  if (client) await client.$disconnect();
}
