export default async function globalTeardown(): Promise<void> {
  await globalThis.__C360_WIRE_TEST_MONGO__?.stop();
}
