export * from './principal';
export * from './application-token-verifier';
export * from './application-scope';
export { forbidden, forbiddenField } from './forbidden';
export { authorize } from './authorize';
