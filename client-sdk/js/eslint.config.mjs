// ESLint for the JS SDK's TypeScript: the recommended JavaScript and typescript-eslint rules.
// `./eiscope test` runs it (and Prettier's check); `./eiscope fmt` fixes what can be fixed.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "src/gen/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.ts"],
    // A name that starts with _ is unused on purpose (`for await (const _ of frames)`).
    rules: { "@typescript-eslint/no-unused-vars": ["error", { varsIgnorePattern: "^_", argsIgnorePattern: "^_" }] },
  },
);
