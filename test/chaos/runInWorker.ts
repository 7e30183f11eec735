// Moved to test/support (shared by the chaos and fleet suites); kept until the fleet's files import it from there.
export * from '../support/runInWorker.ts';
