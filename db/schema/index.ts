export * from './api-keys';
export * from './audit';
export * from './auth';
export * from './orgs';
export * from './runners';
export * from './sandboxes';
export * from './shares';
export * from './idempotency';
