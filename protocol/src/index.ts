export * from './errors.ts';
export * from './limits.ts';
export * from './schemas.ts';
export * from './models.ts';
export * from './events.ts';
export * from './ids.ts';
export * from './search.ts';
export * from './channelNames.ts';
