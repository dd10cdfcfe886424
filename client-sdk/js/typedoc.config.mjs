// TypeDoc: the API reference of @eiscope/client from its doc comments (npm run docs, or
// ./eiscope docs for every SDK). Any warning fails it, an undocumented export included.
import { OptionDefaults } from "typedoc";

/** @type {Partial<import("typedoc").TypeDocOptions>} */
export default {
  entryPoints: ["src/index.ts"],
  out: "../../build/reference/js",
  name: "@eiscope/client",
  readme: "README.md",
  excludePrivate: true,
  excludeProtected: true,
  excludeInternal: true,
  // The messages generated from the protos (src/gen) say where each comes from with protoc-gen-es's tag.
  blockTags: [...OptionDefaults.blockTags, "@generated"],
  // ...and leaves the parts of oneofs and of the service's rpcs undocumented: this plugin documents them.
  plugin: ["./typedoc-generated.mjs"],
  // Source links need a public repository to point at; this checkout has none.
  disableSources: true,
  treatWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
};
