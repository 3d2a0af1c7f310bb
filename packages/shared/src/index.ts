export * from './errors';
export * from './images';
export * from './containers';
export * from './terminal';
export * from './registry';
export * from './networks';
export * from './dockerignore';
export * from './logs';
