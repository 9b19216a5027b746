/** The bundled social-data provider (contracts/social.md) and its accounts file. */
export * from './accounts';
export * from './provider';
export { Random } from './random';
