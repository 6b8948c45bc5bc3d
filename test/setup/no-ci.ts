// Ink decides once, when it is imported, whether it runs in CI (then it paints
// only the last frame). The wizard's launcher hides CI from Ink for the same
// reason; tests that render Ink in-process (ink-testing-library) need the same,
// or they would pass locally and fail under CI=true. Children that tests spawn
// get CI explicitly where a test is about it.
delete process.env.CI;
delete process.env.CONTINUOUS_INTEGRATION;
