/**
 * The package version, in one place: the runtime's user agent and the generator's file headers
 * both read it, and a test holds it equal to package.json's.
 */
export const version = "0.1.0";
