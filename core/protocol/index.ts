// Pekko's wire formats and orders, shared by the agent and the operator.
export * from './address.ts';
export * from './pekko.ts';
