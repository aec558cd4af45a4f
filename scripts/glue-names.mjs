// Renames, in wasm-bindgen's JS glue, the names it shares with the .wasm (for shorten-names.mjs),
// by parsing the glue and editing exactly the nodes that carry them. Anything not in the shape
// below throws, naming what it expected, so a new wasm-bindgen fails the build instead of
// shipping a glue that no longer matches its module:
//   function __wbg_get_imports() {
//     const import0 = { __proto__: null, <import>: function (…) {…}, … };
//     return { __proto__: null, "<module>": import0, … };
//   }
//   … wasm.<export> …
import { parse } from "../tools/node_modules/acorn/dist/acorn.mjs";

const fail = (what) => {
  throw new Error(`shorten-names: the glue is not in the shape this build knows (wasm-bindgen changed?): ${what}`);
};

// Every node of the tree, depth first.
function* nodes(node) {
  if (!node || typeof node.type !== "string") return;
  yield node;
  for (const value of Object.values(node)) {
    if (Array.isArray(value)) for (const v of value) yield* nodes(v);
    else if (value && typeof value.type === "string") yield* nodes(value);
  }
}

const keyName = (prop) =>
  prop.type !== "Property" || prop.computed ? undefined
    : prop.key.type === "Identifier" ? prop.key.name
    : typeof prop.key.value === "string" ? prop.key.value : undefined;

/**
 * @param {string} source the glue
 * @param {{ modules: Map<string,string>, imports: Map<string,string>, exports: Map<string,string>, glueModule: string }} names
 *   old → new: the import modules, the glue module's imports, the exports (`memory` is never renamed)
 * @returns {string} the glue with every name renamed
 */
export function renameInGlue(source, { modules, imports, exports, glueModule }) {
  const ast = parse(source, { ecmaVersion: "latest", sourceType: "module" });
  const edits = []; // [start, end, text]

  const getImports = ast.body.find((n) => n.type === "FunctionDeclaration" && n.id?.name === "__wbg_get_imports");
  if (!getImports) fail("no function __wbg_get_imports");
  const ret = getImports.body.body.find((n) => n.type === "ReturnStatement");
  if (ret?.argument?.type !== "ObjectExpression") fail("__wbg_get_imports does not return an object literal");

  // The modules: keys of the returned object.
  let glueObjectName;
  const seenModules = new Set();
  for (const prop of ret.argument.properties) {
    const key = keyName(prop);
    if (key === undefined || key === "__proto__") continue;
    const renamed = modules.get(key);
    if (!renamed) fail(`__wbg_get_imports returns module "${key}", which the .wasm does not import`);
    seenModules.add(key);
    edits.push([prop.key.start, prop.key.end, JSON.stringify(renamed)]);
    if (key === glueModule) {
      if (prop.value.type !== "Identifier") fail(`module "${key}" is not a variable`);
      glueObjectName = prop.value.name;
    }
  }
  for (const m of modules.keys()) if (!seenModules.has(m)) fail(`no module "${m}" in __wbg_get_imports`);

  // The glue module's imports: keys of the object literal that variable is declared with.
  const decl = [...nodes(getImports)].find((n) => n.type === "VariableDeclarator" && n.id.name === glueObjectName);
  if (decl?.init?.type !== "ObjectExpression") fail(`${glueObjectName} is not declared with an object literal`);
  const seenImports = new Set();
  for (const prop of decl.init.properties) {
    const key = keyName(prop);
    if (key === undefined || key === "__proto__") continue;
    if (seenImports.has(key)) fail(`import ${key} is defined twice`);
    seenImports.add(key);
    const renamed = imports.get(key);
    if (renamed) edits.push([prop.key.start, prop.key.end, renamed]);
  }
  for (const i of imports.keys()) if (!seenImports.has(i)) fail(`the .wasm imports ${i}, which ${glueObjectName} does not define`);

  // The exports: every `wasm.<name>`.
  for (const n of nodes(ast)) {
    if (n.type !== "MemberExpression" || n.computed || n.object.type !== "Identifier" || n.object.name !== "wasm") continue;
    const name = n.property.name;
    if (name === "memory") continue;
    const renamed = exports.get(name);
    if (!renamed) fail(`the glue uses wasm.${name}, which the module does not export`);
    edits.push([n.property.start, n.property.end, renamed]);
  }

  edits.sort((a, b) => b[0] - a[0]);
  let out = source;
  for (const [start, end, text] of edits) out = out.slice(0, start) + text + out.slice(end);
  return out;
}
