package io.eiscope.app;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.UnknownFieldSet;
import io.eiscope.api.v1.Frame;
import io.eiscope.api.v1.WatchResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * A frame with its protobuf encoding, made once however many subscribers send it: a published frame reaches every
 * subscriber of its run as this one object, and each sends these bytes instead of encoding the frame again (a weight
 * matrix of 500 x 784 is 1.5 MB to encode per subscriber). A message of several frames is the concatenation of their
 * encodings, each as field {@code frames}: it is built as the message's unknown field of that number, whose bytes go
 * out as they are and which a client reads as the frames themselves (the wire format is the same).
 */
final class EncodedFrame {
    private static final int WATCH_RESPONSE_FRAMES = WatchResponse.FRAMES_FIELD_NUMBER;

    final Frame frame;
    private volatile ByteString bytes;

    EncodedFrame(Frame frame) {
        this.frame = frame;
    }

    /** The frame's encoding, made on first use (a race makes it twice, never wrong). */
    ByteString bytes() {
        ByteString b = bytes;
        if (b == null) bytes = b = frame.toByteString();
        return b;
    }

    /** The encoding with {@code dropped} set: the frame's bytes, then that field (the last value of a field wins). */
    ByteString withDropped(int dropped) {
        try {
            ByteString.Output out = ByteString.newOutput(8);
            CodedOutputStream c = CodedOutputStream.newInstance(out);
            c.writeUInt32(Frame.DROPPED_FIELD_NUMBER, dropped);
            c.flush();
            return bytes().concat(out.toByteString());
        } catch (IOException e) {
            throw new UncheckedIOException(e); // writing to memory
        }
    }

    /** A WatchResponse of these encoded frames, in order. */
    static WatchResponse watchResponse(List<ByteString> frames) {
        return WatchResponse.newBuilder()
                .setUnknownFields(framesField(WATCH_RESPONSE_FRAMES, frames))
                .build();
    }

    /** The frames of a {@link #watchResponse} as field {@code number} of another message (a session's frames). */
    static UnknownFieldSet refiled(WatchResponse batch, int number) {
        return UnknownFieldSet.newBuilder()
                .addField(number, batch.getUnknownFields().getField(WATCH_RESPONSE_FRAMES))
                .build();
    }

    private static UnknownFieldSet framesField(int number, List<ByteString> frames) {
        UnknownFieldSet.Field.Builder f = UnknownFieldSet.Field.newBuilder();
        for (ByteString b : frames) f.addLengthDelimited(b);
        return UnknownFieldSet.newBuilder().addField(number, f.build()).build();
    }
}
