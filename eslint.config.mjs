// ESLint for the slider map's runtime (mapgen/render/templates/slider/*.js), run by `make test`.
// Each part is a plain ES5 script; html.py joins them in one function scope. A part names
// what it takes from the others in a `/* global ... */` comment and what it gives them in
// `/* exported ... */`; tests/test_html.py checks that every name taken is given by a part.
import js from "@eslint/js";

export default [
  js.configs.recommended,
  {
    files: ["mapgen/render/templates/slider/*.js"],
    languageOptions: {
      ecmaVersion: 5,
      sourceType: "script",
      globals: {
        window: "readonly",
        document: "readonly",
        history: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        // reading the page's compressed data (load.js): in every browser since 2023
        atob: "readonly",
        Blob: "readonly",
        DecompressionStream: "readonly",
        Promise: "readonly",
        Response: "readonly",
        Uint8Array: "readonly",
      },
    },
    rules: {
      "no-unused-vars": ["error", { vars: "local", args: "none", caughtErrors: "none" }],
      "no-var": "off",
      eqeqeq: "error",
      "no-implicit-globals": "off",
      "no-redeclare": "error",
      "no-shadow": "error",
      "max-lines": ["error", 300],
      "max-lines-per-function": ["error", 60],
    },
  },
];
