// ESLint rule `strongroom/layers`: each process's code may reach only the
// layers and packages its layer allows, through static imports, re-exports,
// dynamic import() and require() alike, and transitively: a file is refused
// when anything it imports, however indirectly, is out of bounds for it.
// (After VS Code's code-layering rule, which checks direct imports only.)
//
// Options: { root, layers: { [dir]: { reach: dir[], deny?: dir[], packages: '*' | name[], denyPackages?: name[] } } }
// A file belongs to the layer with the longest `dir` prefix of its path under
// `root`. `packages` lists what it may load from node_modules ('node:*' for
// every Node built-in); '*' allows every package except `denyPackages`.
import { readFileSync, statSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, relative, resolve, sep } from 'node:path';

const ts = createRequire(import.meta.url)('typescript');

const SOURCE_EXTENSIONS = ['.ts', '.tsx', '.mts', '.js', '.mjs'];
const builtins = new Set(builtinModules);

/** Specifiers each file imports, cached by path and modification time for the whole lint run. */
const importsCache = new Map();

function importsOf(file) {
  const mtime = statSync(file).mtimeMs;
  const cached = importsCache.get(file);
  if (cached && cached.mtime === mtime) return cached.specifiers;
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const specifiers = info.importedFiles.map((imported) => imported.fileName);
  importsCache.set(file, { mtime, specifiers });
  return specifiers;
}

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The source file a relative specifier names: TypeScript's `.js` suffix stands for the `.ts` file beside it. */
function resolveRelative(fromFile, specifier) {
  const base = resolve(dirname(fromFile), specifier);
  const stem = base.replace(/\.(m?js|jsx)$/, '');
  const candidates = [base, ...SOURCE_EXTENSIONS.map((ext) => stem + ext), ...SOURCE_EXTENSIONS.map((ext) => `${base}${sep}index${ext}`)];
  return candidates.find(isFile) ?? null;
}

/** `node:fs` and `fs` are both the Node built-in `node:fs`; `@scope/name/sub` is the package `@scope/name`. */
function packageOf(specifier) {
  if (specifier.startsWith('node:')) return `node:${specifier.slice(5).split('/')[0]}`;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  return builtins.has(name) ? `node:${name}` : name;
}

function layerOf(config, file) {
  const path = relative(config.root, file).split(sep).join('/');
  let best = null;
  for (const dir of Object.keys(config.layers)) {
    if ((path === dir || path.startsWith(`${dir}/`)) && (!best || dir.length > best.length)) best = dir;
  }
  return best === null ? null : { dir: best, path, ...config.layers[best] };
}

function within(path, dirs) {
  return (dirs ?? []).some((dir) => path === dir || path.startsWith(`${dir}/`));
}

/** Why `layer` may not load the package, or null when it may. */
function packageRefusal(layer, name) {
  if ((layer.denyPackages ?? []).includes(name)) return `${layer.dir} may not load ${name}`;
  if (layer.packages === '*') return null;
  const allowed = layer.packages.some((allowedName) => allowedName === name || (allowedName === 'node:*' && name.startsWith('node:')));
  return allowed ? null : `${layer.dir} may load only ${layer.packages.join(', ') || 'no packages'}, not ${name}`;
}

/** Why `layer` may not reach the project file, or null when it may. */
function fileRefusal(config, layer, file) {
  const path = relative(config.root, file).split(sep).join('/');
  if (path.startsWith('..')) return `${layer.dir} may not reach ${path}, outside the project`;
  if (within(path, layer.deny) || !within(path, layer.reach)) return `${layer.dir} may reach only ${layer.reach.join(', ')}, not ${path}`;
  return null;
}

/**
 * Follows one import from `fromFile` for a file of `layer`: the first thing
 * on the way that the layer may not reach, with the chain that leads to it.
 */
function firstRefusal(config, layer, fromFile, specifier) {
  const seen = new Set();
  const visit = (file, spec, chain) => {
    if (!spec.startsWith('.') && !spec.startsWith('/')) {
      const refusal = packageRefusal(layer, packageOf(spec));
      return refusal ? { refusal, chain: [...chain, spec] } : null;
    }
    const target = resolveRelative(file, spec);
    if (target === null) return null; // TypeScript reports imports that do not resolve.
    const here = [...chain, relative(config.root, target).split(sep).join('/')];
    const refusal = fileRefusal(config, layer, target);
    if (refusal) return { refusal, chain: here };
    if (seen.has(target)) return null;
    seen.add(target);
    for (const next of importsOf(target)) {
      const found = visit(target, next, here);
      if (found) return found;
    }
    return null;
  };
  return visit(fromFile, specifier, []);
}

export const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each process imports only the layers and packages it may, directly or through anything it imports.' },
    schema: [
      {
        type: 'object',
        properties: { root: { type: 'string' }, layers: { type: 'object' } },
        required: ['root', 'layers'],
        additionalProperties: false,
      },
    ],
    messages: {
      direct: '{{refusal}}.',
      transitive: '{{refusal}}, reached through {{chain}}.',
      computed: 'A computed import() cannot be checked against the layers: name the module literally.',
    },
  },
  create(context) {
    const config = context.options[0];
    const file = context.filename;
    const layer = layerOf(config, file);
    if (!layer) return {};
    const check = (node, source) => {
      if (!source) return;
      const specifier =
        source.type === 'Literal' && typeof source.value === 'string'
          ? source.value
          : source.type === 'TemplateLiteral' && source.expressions.length === 0
            ? source.quasis[0].value.cooked
            : null;
      if (specifier === null) {
        context.report({ node, messageId: 'computed' });
        return;
      }
      const found = firstRefusal(config, layer, file, specifier);
      if (!found) return;
      if (found.chain.length === 1) context.report({ node, messageId: 'direct', data: { refusal: found.refusal } });
      else context.report({ node, messageId: 'transitive', data: { refusal: found.refusal, chain: found.chain.join(' → ') } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.source ?? node.argument?.literal),
      TSExternalModuleReference: (node) => check(node, node.expression),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) check(node, node.arguments[0]);
      },
    };
  },
};

export default { rules: { layers: layersRule } };
