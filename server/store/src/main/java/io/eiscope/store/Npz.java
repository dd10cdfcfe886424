package io.eiscope.store;

import io.eiscope.engine.sim.StateDict;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A {@link StateDict} as a NumPy {@code .npz} archive: one uncompressed {@code NAME.npy} member
 * per array (NPY format 1.0, little-endian, C order), so {@code numpy.load(f)["param/layer0.W"]}
 * reads a parameter directly. Reads back only what it writes (float32, float64, int64, int32,
 * uint8); anything else is an {@link IOException} naming the member.
 */
public final class Npz {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<>|]\\w\\d)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    private Npz() {}

    /** Writes {@code dict} to {@code out} (not closed). */
    public static void write(StateDict dict, OutputStream out) throws IOException {
        ZipOutputStream zip = new ZipOutputStream(out);
        zip.setMethod(ZipOutputStream.STORED);
        for (StateDict.Array a : dict.arrays()) {
            byte[] member = npy(a);
            ZipEntry e = new ZipEntry(a.name() + ".npy");
            CRC32 crc = new CRC32();
            crc.update(member);
            e.setSize(member.length);
            e.setCompressedSize(member.length);
            e.setCrc(crc.getValue());
            zip.putNextEntry(e);
            zip.write(member);
            zip.closeEntry();
        }
        zip.finish();
    }

    /** Reads a dict written by {@link #write}. */
    public static StateDict read(InputStream in) throws IOException {
        StateDict dict = new StateDict();
        ZipInputStream zip = new ZipInputStream(in);
        for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
            String name = e.getName();
            if (!name.endsWith(".npy")) throw new IOException("unexpected member '" + name + "' (not an .npy array)");
            dict.put(parse(name.substring(0, name.length() - 4), zip.readAllBytes()));
        }
        return dict;
    }

    public static StateDict read(byte[] npz) throws IOException {
        return read(new ByteArrayInputStream(npz));
    }

    private static byte[] npy(StateDict.Array a) {
        String descr;
        int itemBytes;
        Object d = a.data();
        if (d instanceof float[]) {
            descr = "<f4";
            itemBytes = 4;
        } else if (d instanceof double[]) {
            descr = "<f8";
            itemBytes = 8;
        } else if (d instanceof long[]) {
            descr = "<i8";
            itemBytes = 8;
        } else if (d instanceof int[]) {
            descr = "<i4";
            itemBytes = 4;
        } else if (d instanceof byte[]) {
            descr = "|u1";
            itemBytes = 1;
        } else throw new IllegalArgumentException("entry '" + a.name() + "' has an unsupported type " + d.getClass());
        StringBuilder shape = new StringBuilder();
        for (int s : a.shape()) shape.append(s).append(", ");
        if (a.shape().length > 1) shape.setLength(shape.length() - 2);
        else if (a.shape().length == 1) shape.setLength(shape.length() - 1);
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + shape + "), }";
        int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
        String header = dict + " ".repeat((64 - unpadded % 64) % 64) + "\n";
        int n = java.lang.reflect.Array.getLength(d);
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 4 + header.length() + n * itemBytes)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC)
                .put((byte) 1)
                .put((byte) 0)
                .putShort((short) header.length())
                .put(header.getBytes(StandardCharsets.US_ASCII));
        if (d instanceof float[] f) b.asFloatBuffer().put(f);
        else if (d instanceof double[] v) b.asDoubleBuffer().put(v);
        else if (d instanceof long[] v) b.asLongBuffer().put(v);
        else if (d instanceof int[] v) b.asIntBuffer().put(v);
        else b.put((byte[]) d);
        return b.array();
    }

    private static StateDict.Array parse(String name, byte[] npy) throws IOException {
        if (npy.length < 10 || !Arrays.equals(Arrays.copyOf(npy, MAGIC.length), MAGIC))
            throw new IOException("member '" + name + "' is not an .npy array");
        ByteBuffer b = ByteBuffer.wrap(npy).order(ByteOrder.LITTLE_ENDIAN);
        int major = npy[6];
        b.position(8);
        int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
        if (b.position() + headerLength > npy.length) throw new IOException("member '" + name + "' is truncated");
        String header = new String(npy, b.position(), headerLength, StandardCharsets.US_ASCII);
        b.position(b.position() + headerLength);
        Matcher descr = DESCR.matcher(header), fortran = FORTRAN.matcher(header), shapeM = SHAPE.matcher(header);
        if (!descr.find() || !fortran.find() || !shapeM.find())
            throw new IOException("member '" + name + "' has a malformed header");
        if (fortran.group(1).equals("True")) throw new IOException("member '" + name + "' is in Fortran order");
        int[] shape = Arrays.stream(shapeM.group(1).split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .mapToInt(Integer::parseInt)
                .toArray();
        long count = 1;
        for (int s : shape) count *= s;
        final long n = count;
        ByteBuffer body = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        Object data = switch (descr.group(1)) {
            case "<f4" ->
                read(body, n, 4, name, () -> {
                    float[] v = new float[(int) n];
                    body.asFloatBuffer().get(v);
                    return v;
                });
            case "<f8" ->
                read(body, n, 8, name, () -> {
                    double[] v = new double[(int) n];
                    body.asDoubleBuffer().get(v);
                    return v;
                });
            case "<i8" ->
                read(body, n, 8, name, () -> {
                    long[] v = new long[(int) n];
                    body.asLongBuffer().get(v);
                    return v;
                });
            case "<i4" ->
                read(body, n, 4, name, () -> {
                    int[] v = new int[(int) n];
                    body.asIntBuffer().get(v);
                    return v;
                });
            case "|u1" ->
                read(body, n, 1, name, () -> {
                    byte[] v = new byte[(int) n];
                    body.get(v);
                    return v;
                });
            default ->
                throw new IOException(
                        "member '" + name + "' has dtype " + descr.group(1) + ", which eiscope does not write");
        };
        return new StateDict.Array(name, data, shape);
    }

    private static Object read(
            ByteBuffer body, long n, int itemBytes, String name, java.util.function.Supplier<Object> get)
            throws IOException {
        if (body.remaining() != n * itemBytes)
            throw new IOException(
                    "member '" + name + "' holds " + body.remaining() + " bytes, its header says " + n * itemBytes);
        return get.get();
    }
}
