package io.eiscope.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.eiscope.api.v1.SimulationServiceGrpc;
import io.grpc.MethodDescriptor;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * docs/sdk-parity.md against the service and this SDK, so the table cannot drift: the rpcs come
 * from the generated grpc-java descriptor of eiscope.v1.SimulationService, the methods from
 * {@link EiscopeClient}'s public methods. The Python and JS suites check their own columns the
 * same way. No server is needed.
 */
class ParityTest {
    private static final Path TABLE = Path.of("../../docs/sdk-parity.md");
    private static final List<String> SDKS = List.of("Python", "JS", "Java");
    private static final Pattern SPAN = Pattern.compile("`([^`]*)`");
    private static final Pattern CALL = Pattern.compile("^([A-Za-z_]\\w*)\\(");
    private static final Map<MethodDescriptor.MethodType, String> KINDS = Map.of(
            MethodDescriptor.MethodType.UNARY, "unary",
            MethodDescriptor.MethodType.SERVER_STREAMING, "server stream",
            MethodDescriptor.MethodType.CLIENT_STREAMING, "client stream",
            MethodDescriptor.MethodType.BIDI_STREAMING, "bidi stream");

    /** The rows of the table whose header starts with {@code headerStart}, as lists of cells. */
    private static List<List<String>> rows(String headerStart) throws Exception {
        List<String> lines = Files.readAllLines(TABLE);
        int start = lines.stream()
                .filter(l -> l.startsWith(headerStart))
                .findFirst()
                .map(lines::indexOf)
                .orElseThrow(() -> new AssertionError("no table headed '" + headerStart + "' in " + TABLE));
        List<List<String>> out = new ArrayList<>();
        for (String line : lines.subList(start + 2, lines.size())) {
            if (!line.startsWith("|")) break;
            String inner = line.strip().replaceAll("^\\||\\|$", "");
            out.add(Arrays.stream(inner.split("\\|", -1)).map(String::strip).toList());
        }
        return out;
    }

    /** The method names of a cell: every backticked span must be a call {@code name(...)}. */
    private static List<String> methodsNamed(String cell) {
        List<String> names = new ArrayList<>();
        Matcher span = SPAN.matcher(cell);
        while (span.find()) {
            Matcher call = CALL.matcher(span.group(1));
            assertThat(call.find())
                    .as("%s in %s is a call name(...)", span.group(1), cell)
                    .isTrue();
            names.add(call.group(1));
        }
        return names;
    }

    private static Map<String, MethodDescriptor<?, ?>> serviceMethods() {
        return SimulationServiceGrpc.getServiceDescriptor().getMethods().stream()
                .collect(Collectors.toMap(MethodDescriptor::getBareMethodName, Function.identity()));
    }

    @Test
    void everyRpcOfTheServiceHasExactlyOneRowAndNoRowNamesAMissingRpc() throws Exception {
        List<String> named = rows("| RPC | kind |").stream()
                .map(r -> r.get(0).replace("`", ""))
                .toList();
        assertThat(named)
                .as("the rpcs of docs/sdk-parity.md")
                .doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(serviceMethods().keySet());
    }

    @Test
    void eachRowHasTheRpcsKindAndAnEntryForEverySdk() throws Exception {
        Map<String, MethodDescriptor<?, ?>> methods = serviceMethods();
        for (List<String> row : rows("| RPC | kind |")) {
            String rpc = row.get(0).replace("`", "");
            assertThat(row).as("%s: cells", rpc).hasSize(2 + SDKS.size());
            assertThat(row.get(1))
                    .as("%s: kind", rpc)
                    .isEqualTo(KINDS.get(methods.get(rpc).getType()));
            for (int i = 0; i < SDKS.size(); i++) {
                String cell = row.get(2 + i);
                assertThat(!methodsNamed(cell).isEmpty() || cell.startsWith("none:"))
                        .as("%s, %s: names a method, or says 'none:' and why", rpc, SDKS.get(i))
                        .isTrue();
            }
        }
    }

    @Test
    void eachJavaMethodTheTableNamesIsAPublicMethodOfTheClient() throws Exception {
        Set<String> publicMethods = Arrays.stream(EiscopeClient.class.getMethods())
                .filter(m -> !Modifier.isStatic(m.getModifiers()) || m.getReturnType() == EiscopeClient.class)
                .map(Method::getName)
                .collect(Collectors.toSet());
        List<List<String>> all = new ArrayList<>(rows("| RPC | kind |"));
        all.addAll(rows("| what | built on |"));
        for (List<String> row : all) {
            assertThat(publicMethods)
                    .as("%s: the Java methods named", row.get(0))
                    .containsAll(methodsNamed(row.get(4)));
        }
    }
}
