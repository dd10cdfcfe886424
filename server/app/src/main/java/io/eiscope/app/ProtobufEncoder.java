package io.eiscope.app;

import com.google.protobuf.MessageLite;
import io.netty.buffer.Unpooled;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.WireFormat;

/**
 * Vert.x gRPC's protobuf encoder less one copy of every message. {@code GrpcMessageEncoder.encoder()} serialises a
 * response into a byte array and then copies the array into a new buffer ({@code Buffer.buffer(byte[])} copies);
 * this one wraps the array. On its way to the socket a message was copied four times (JFR of the event loops with
 * 100 subscribers: a quarter of their samples in {@code AbstractByteBuf.writeBytes}, docs/benchmarks.md); a live
 * frame of a 500 x 784 weight matrix is 1.5 MB. The other three copies are Vert.x's framing and Netty's move to a
 * direct buffer, which take no message already framed. JSON (gRPC-Web's JSON wire format) goes to Vert.x's encoder.
 */
final class ProtobufEncoder<T extends MessageLite> implements GrpcMessageEncoder<T> {
    private static final ProtobufEncoder<MessageLite> INSTANCE = new ProtobufEncoder<>();

    private final GrpcMessageEncoder<T> vertx = GrpcMessageEncoder.encoder();

    private ProtobufEncoder() {}

    /** The encoder for responses (and peer requests) of type {@code T}. */
    @SuppressWarnings("unchecked") // stateless: the same instance encodes any message type
    static <T extends MessageLite> GrpcMessageEncoder<T> encoder() {
        return (GrpcMessageEncoder<T>) INSTANCE;
    }

    @Override
    public GrpcMessage encode(T message, WireFormat format) {
        if (format != WireFormat.PROTOBUF) return vertx.encode(message, format);
        // Unreleasable, as Vert.x's own heap buffers are: nothing downstream may free what it did not allocate.
        return GrpcMessage.message(
                "identity",
                BufferInternal.buffer(Unpooled.unreleasableBuffer(Unpooled.wrappedBuffer(message.toByteArray()))));
    }

    @Override
    public boolean accepts(WireFormat format) {
        return vertx.accepts(format);
    }
}
