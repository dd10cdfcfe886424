package io.eiscope.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.Scalar;
import io.eiscope.api.v1.Tensor;
import io.eiscope.api.v1.WatchResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.WireFormat;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The encoder that serialises responses without Vert.x's extra copy sends the same bytes, and keeps them. */
class ProtobufEncoderTest {
    /** A live message as the server sends it: frames' shared encodings end to end, one of them a 300 x 200 tensor. */
    static WatchResponse liveMessage() {
        ByteBuffer data = ByteBuffer.allocate(4 * 300 * 200).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 300 * 200; i++) data.putFloat(i * 0.25f - 7f);
        Frame weights = Frame.newBuilder()
                .setSimulationId("sim-1")
                .setStep(41)
                .setObservable("weights")
                .setLayer("layer0")
                .setTensor(Tensor.newBuilder().addShape(300).addShape(200).setData(ByteString.copyFrom(data.array())))
                .build();
        Frame loss = Frame.newBuilder()
                .setSimulationId("sim-1")
                .setStep(42)
                .setObservable("loss")
                .setScalar(Scalar.newBuilder().setValue(0.693))
                .build();
        return EncodedFrame.watchResponse(
                List.of(new EncodedFrame(weights).bytes(), new EncodedFrame(loss).withDropped(3)));
    }

    @Test
    void protobufPayloadIsTheMessagesEncodingAndParsesBackToItsFrames() throws Exception {
        WatchResponse message = liveMessage();
        Buffer payload = ProtobufEncoder.<WatchResponse>encoder()
                .encode(message, WireFormat.PROTOBUF)
                .payload();

        assertThat(payload.getBytes()).isEqualTo(message.toByteArray());
        assertThat(payload.getBytes())
                .isEqualTo(GrpcMessageEncoder.<WatchResponse>encoder()
                        .encode(message, WireFormat.PROTOBUF)
                        .payload()
                        .getBytes());
        WatchResponse read = WatchResponse.parseFrom(payload.getBytes());
        assertThat(read.getFramesList()).hasSize(2);
        assertThat(read.getFrames(0).getTensor().getShapeList()).containsExactly(300, 200);
        assertThat(read.getFrames(0)
                        .getTensor()
                        .getData()
                        .asReadOnlyByteBuffer()
                        .order(ByteOrder.LITTLE_ENDIAN)
                        .getFloat(4 * 1234))
                .isEqualTo(1234 * 0.25f - 7f);
        assertThat(read.getFrames(1).getScalar().getValue()).isEqualTo(0.693);
        assertThat(read.getFrames(1).getDropped()).isEqualTo(3);
    }

    @Test
    void payloadCannotBeFreedByWhoeverWritesIt() {
        Buffer payload = ProtobufEncoder.<WatchResponse>encoder()
                .encode(liveMessage(), WireFormat.PROTOBUF)
                .payload();
        byte[] before = payload.getBytes();

        boolean freed = ((BufferInternal) payload).getByteBuf().release();

        assertThat(freed).isFalse();
        assertThat(payload.getBytes()).isEqualTo(before);
    }

    @Test
    void jsonWireFormatIsVertxsJsonOfTheMessage() throws Exception {
        WatchResponse message = WatchResponse.newBuilder()
                .addFrames(Frame.newBuilder()
                        .setSimulationId("sim-1")
                        .setStep(7)
                        .setObservable("loss")
                        .setScalar(Scalar.newBuilder().setValue(1.5)))
                .build();
        var encoder = ProtobufEncoder.<WatchResponse>encoder();

        Buffer json = encoder.encode(message, WireFormat.JSON).payload();

        assertThat(encoder.accepts(WireFormat.JSON)).isTrue();
        assertThat(encoder.accepts(WireFormat.PROTOBUF)).isTrue();
        assertThat(new JsonObject(json))
                .isEqualTo(new JsonObject(JsonFormat.printer().print(message)));
        assertThat(new JsonObject(json).getJsonArray("frames").getJsonObject(0).getString("step"))
                .isEqualTo("7");
    }
}
