/** Deterministic demo data for the three sources (CRM rows, behaviour events, social accounts) and its loaders. */
export { EVENT_INDEXES, EVENTS } from './contract';
export * from './duplicates';
export * from './events';
export * from './generate';
export * from './load';
export type * from './rows';
export * from './loadEvents';
export { Random } from '@c360/social-provider';
export * from './seedDemo';
export * from './social';
export type { Taste } from './tastes';
