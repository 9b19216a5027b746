export default async function globalTeardown(): Promise<void> {
  await globalThis.__C360_TEST_MONGO__?.stop();
  await globalThis.__C360_TEST_PG__?.stop();
}
