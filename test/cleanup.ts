// What tests start (temp dirs, databases, writer threads, servers, browsers) is undone here, last made
// first undone: after the test that made it, or, when a file's beforeAll made it, after the file (not after
// its first test, while the others still use it). Kept free of the app: test/setup.ts loads it for every file.
export type Cleanup = () => void | Promise<void>;

const afterTest: Cleanup[] = [];
const afterFile: Cleanup[] = [];
let inTest = false;

const undo = async (list: Cleanup[]) => {
  while (list.length) await list.pop()!();
};

/** Undo `fn` after the current test, or after the file when called outside a test (beforeAll). */
export const onCleanup = (fn: Cleanup) => void (inTest ? afterTest : afterFile).push(fn);

/** Where onCleanup would put an undo now: a thing made later for something made now shares its lifetime. */
export type CleanupScope = 'test' | 'file';
export const cleanupScope = (): CleanupScope => (inTest ? 'test' : 'file');
export const onCleanupIn = (scope: CleanupScope, fn: Cleanup) => void (scope === 'test' ? afterTest : afterFile).push(fn);

/** Undo `fn` after the current file, wherever it is called (a browser shared by the file's tests). */
export const onFileCleanup = (fn: Cleanup) => void afterFile.push(fn);

/** test/setup.ts's hooks, registered once per test file. */
export const cleanupHooks = {
  testStarts: () => {
    inTest = true;
  },
  testEnds: () => {
    inTest = false;
    return undo(afterTest);
  },
  fileEnds: () => undo(afterFile),
};
