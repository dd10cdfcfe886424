// A TypeDoc plugin for the code protoc-gen-es generates from the protos (src/gen), which leaves
// the parts of two shapes without a comment: each oneof, a union of `{ case: "field"; value }`
// objects, and each rpc of the service descriptor, `{ methodKind; input; output }`. This
// documents those parts from what they belong to (the property protoc-gen-es marks
// "@generated from oneof ..." or "@generated from rpc ..."), so the reference explains them
// instead of leaving them blank.
import { Comment, Converter, ReflectionKind } from "typedoc";

const TEXT = {
  oneof: {
    case: (owner) => `Which field of the oneof \`${owner}\` is set (its name in camelCase); undefined when none is.`,
    value: () => "The value of the field that `case` names.",
  },
  rpc: {
    methodKind: () => 'The kind of call: "unary", "server_streaming", "client_streaming" or "bidi_streaming".',
    input: () => "The schema of the request message.",
    output: () => "The schema of the response message (of each one, for a stream).",
  },
};

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    for (const r of context.project.getReflectionsByKind(ReflectionKind.Property)) {
      if (r.comment) continue;
      const owner = r.parent?.parent; // r -> its type literal -> the oneof or rpc property
      const from = /^from (oneof|rpc) /.exec(generatedFrom(owner))?.[1];
      const text = from && TEXT[from][r.name];
      if (text) r.comment = new Comment([{ kind: "text", text: text(owner.name) }]);
    }
  });
}

/** The text of a reflection's @generated tag ("from oneof eiscope.v1.Value.kind"), or "". */
function generatedFrom(reflection) {
  const tag = reflection?.comment?.getTag("@generated");
  return tag?.content.map((part) => part.text).join("") ?? "";
}
