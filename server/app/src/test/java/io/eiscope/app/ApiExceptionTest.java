package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.grpc.common.GrpcStatus;
import org.junit.jupiter.api.Test;

class ApiExceptionTest {
    @Test
    void aMessageEchoingALongValueIsCutInTheMiddleToFitTheWire() {
        for (String echoed : new String[] {"x".repeat(10_000), "ü☃𝄞".repeat(5_000), "%".repeat(10_000)}) {
            String message = ApiException.invalid("unknown observable '" + echoed + "'; one of [loss, state]")
                    .getMessage();
            assertThat(TrailersOnly.percentEncode(message).length())
                    .as("grpc-message bytes")
                    .isLessThanOrEqualTo(ApiException.MAX_MESSAGE_BYTES);
            assertThat(message)
                    .startsWith("unknown observable '")
                    .endsWith("'; one of [loss, state]")
                    .contains(" characters cut ...] ");
        }
    }

    @Test
    void aShortMessageIsKeptWhole() {
        String message = "unknown preset 'ünïcødé'; one of [mlp-fashion-mnist]";
        assertThat(new ApiException(GrpcStatus.NOT_FOUND, message).getMessage()).isEqualTo(message);
        assertThat(ApiException.from(new IllegalArgumentException("a".repeat(5_000)))
                        .getMessage())
                .hasSizeLessThan(ApiException.MAX_MESSAGE_BYTES);
    }
}
