// The process boundaries of docs/architecture.md ("Layers"), as the layers
// rule reads them. src-shared runs in every process, so it loads only zod and
// @hpke/core; the sandboxed renderer reaches only src-shared and browser
// packages; main reaches src-shared and never a delegate file; the delegate
// never loads electron or main; only the shell loads electron.
export const productLayers = {
  'src-shared': { reach: ['src-shared'], packages: ['zod', '@hpke/core'] },
  'src-renderer': {
    reach: ['src-renderer', 'src-shared'],
    packages: ['react', 'react-dom', 'zustand', 'zod', '@hpke/core', 'fuse.js', '@zxcvbn-ts/core', '@zxcvbn-ts/language-common'],
  },
  'src-main': { reach: ['src-main', 'src-shared'], deny: ['src-main/shell'], packages: '*', denyPackages: ['electron'] },
  'src-main/shell': { reach: ['src-main', 'src-shared'], packages: '*' },
  'src-delegate': { reach: ['src-delegate', 'src-shared'], packages: '*', denyPackages: ['electron'] },
};
