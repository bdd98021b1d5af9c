// The process boundaries of docs/architecture.md ("Layers"), as the layers
// rule reads them. src-shared runs in every process, so it loads only zod,
// @hpke/core, and the two parsers the .env/CSV import reads files with
// (dotenv's parse and csv-parse's browser build, which touch no file or
// network): an import is parsed where its plaintext already is, in the
// renderer or the CLI, so it never passes through main. The sandboxed
// renderer reaches only src-shared and browser packages; main reaches src-shared and never a delegate file; the delegate
// never loads electron or main; only the shell loads electron.
export const productLayers = {
  'src-shared': { reach: ['src-shared'], packages: ['zod', '@hpke/core', 'dotenv', 'csv-parse'] },
  'src-renderer': {
    reach: ['src-renderer', 'src-shared'],
    packages: ['react', 'react-dom', 'zustand', 'zod', '@hpke/core', 'dotenv', 'csv-parse', 'fuse.js', '@zxcvbn-ts/core', '@zxcvbn-ts/language-common'],
  },
  'src-main': { reach: ['src-main', 'src-shared'], deny: ['src-main/shell'], packages: '*', denyPackages: ['electron'] },
  'src-main/shell': { reach: ['src-main', 'src-shared'], packages: '*' },
  'src-delegate': { reach: ['src-delegate', 'src-shared'], packages: '*', denyPackages: ['electron'] },
};
