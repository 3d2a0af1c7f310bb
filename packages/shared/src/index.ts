export * from './errors';
export * from './images';
export * from './containers';
export * from './terminal';
