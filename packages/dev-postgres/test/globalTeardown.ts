export default async function globalTeardown(): Promise<void> {
  await globalThis.__C360_DEV_PG__?.stop();
}
