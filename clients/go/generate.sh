#!/usr/bin/env bash
# Generates the Go messages and gRPC stubs of eiscope.v1 from ../../proto into gen/ (never
# committed), with the standard tools, installed from nothing:
#   protoc              com.google.protobuf:protoc from Maven Central, the version the Java build
#                       compiles the protos with (pom.xml's protobuf.version), fetched once into
#                       ../../.tools/protoc by the Maven wrapper; or $PROTOC if set
#   protoc-gen-go       google.golang.org/protobuf/cmd/protoc-gen-go         } tools of go.mod,
#   protoc-gen-go-grpc  google.golang.org/grpc/cmd/protoc-gen-go-grpc        } from the Go module proxy
# The protos carry no go_package option, so the import path is given here (M options):
# eiscope.io/clients/go/gen/eiscope/v1, package eiscopev1.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
cd "$HERE"

if [ -z "${PROTOC:-}" ]; then
  version="$(sed -n 's:.*<protobuf.version>\(.*\)</protobuf.version>.*:\1:p' "$ROOT/pom.xml")"
  case "$(uname -m)" in
    x86_64) platform=linux-x86_64 ;;
    aarch64) platform=linux-aarch_64 ;;
    *) echo "generate.sh: no protoc on Maven Central for $(uname -m); set PROTOC" >&2; exit 1 ;;
  esac
  PROTOC="$ROOT/.tools/protoc/protoc-$version-$platform.exe"
  if [ ! -x "$PROTOC" ]; then
    (cd "$ROOT" && ./mvnw -B -q -N dependency:copy \
      "-Dartifact=com.google.protobuf:protoc:$version:exe:$platform" -DoutputDirectory=.tools/protoc)
    chmod +x "$PROTOC"
  fi
fi

GOBIN="$HERE/.bin" go install tool   # the plugins, at the versions go.mod pins

PACKAGE=eiscope.io/clients/go/gen/eiscope/v1
mapping=()
for proto in "$ROOT"/proto/eiscope/v1/*.proto; do
  name="eiscope/v1/$(basename "$proto")"
  mapping+=("--go_opt=M$name=$PACKAGE;eiscopev1" "--go-grpc_opt=M$name=$PACKAGE;eiscopev1")
done
rm -rf gen && mkdir -p gen
"$PROTOC" -I "$ROOT/proto" \
  --plugin=protoc-gen-go="$HERE/.bin/protoc-gen-go" --plugin=protoc-gen-go-grpc="$HERE/.bin/protoc-gen-go-grpc" \
  --go_out=gen --go_opt=paths=source_relative --go-grpc_out=gen --go-grpc_opt=paths=source_relative \
  "${mapping[@]}" "$ROOT"/proto/eiscope/v1/*.proto
