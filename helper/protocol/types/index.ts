// The protocol's data types and constants, one file per area, without the
// method tables (../methods/) or the client (../client.ts): what a front end
// imports to show and build what the helper sends and takes, as
// vscode-languageserver-types is to the LSP's protocol package.
export * from './containers';
export * from './images';
export * from './system';
export * from './events';
export * from './streams';
export * from './exec';
export * from './namespaces';
export * from './errors';
export * from './layers';
export * from './diff';
export * from './kernel';
export * from './security';
export * from './registry';
export * from './network';
export * from './volumes';
export * from './files';
