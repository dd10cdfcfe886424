package io.eiscope.engine.tensor;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * Eigenvalues without vectors by LAPACK's three stages, called one by one through the JDK's foreign-function
 * API (JDK 22 and later) from the OpenBLAS library that JavaCPP loaded: balancing ({@code sgebal}, job 'B'),
 * reduction to Hessenberg form ({@code sgehrd}), then the small-bulge multishift QR with aggressive early
 * deflation ({@code slaqr0}, no Schur form) given a workspace of {@code 2 w + 1} floats. {@code slaqr0} fits its
 * deflation window and its number of shifts to the workspace it is given (at most {@code (lwork - 1) / 2} and
 * {@code 2 lwork / 3}), so the workspace sets the window, which {@code sgeev} (through {@code shseqr}, whose
 * workspace is at least n) cannot. JavaCPP maps neither {@code slaqr0} nor any way to pass it a window, and JDK
 * 17 has no foreign-function API: on JDK 17 {@link Spectra} calls {@code sgeev}. Compiled by a JDK 22+'s javac
 * (server/engine/pom.xml, profile lanes22).
 *
 * <p>The matrix comes in column-major order; each stage checks its {@code info} as {@code sgeev} does. No
 * allocation on the native side after a thread's first call at an order ({@link Buffers}).
 */
final class WindowedQr {
    private WindowedQr() {}

    private static final Linker LINKER = Linker.nativeLinker();

    /** The symbols of the libraries this class's loader loaded: JavaCPP's Loader loads OpenBLAS with System.load. */
    private static final SymbolLookup LAPACK = SymbolLookup.loaderLookup();

    private static final MethodHandle SGEBAL = fortran("sgebal_", 8, true);
    private static final MethodHandle SGEHRD = fortran("sgehrd_", 9, false);
    private static final MethodHandle SLAQR0 = fortran("slaqr0_", 16, false);

    /** A Fortran subroutine's handle: every argument by reference, then one hidden length per character argument. */
    private static MethodHandle fortran(String symbol, int arguments, boolean oneCharacterArgument) {
        MemorySegment address =
                LAPACK.find(symbol).orElseThrow(() -> new IllegalStateException("OpenBLAS exports no " + symbol));
        int count = arguments + (oneCharacterArgument ? 1 : 0);
        java.lang.foreign.MemoryLayout[] layouts = new java.lang.foreign.MemoryLayout[count];
        for (int i = 0; i < arguments; i++) layouts[i] = ADDRESS;
        if (oneCharacterArgument) layouts[arguments] = JAVA_LONG;
        return LINKER.downcallHandle(address, FunctionDescriptor.ofVoid(layouts));
    }

    /**
     * The eigenvalues of the n x n matrix whose column-major elements are {@code columnMajor} (unchanged), as
     * {@code [re0, im0, re1, im1, ...]} in the order of the diagonal of the quasi-triangular form (conjugate pairs
     * adjacent, positive imaginary part first), with a deflation window of at most {@code window}; or null when
     * {@code slaqr0} did not converge (its {@code info > 0}), for the caller to try {@code sgeev}.
     *
     * @throws ArithmeticException when balancing or the reduction reports an argument error
     */
    static float[] eigenvalues(float[] columnMajor, int n, int window) {
        Buffers b = Buffers.of(n, window);
        try {
            MemorySegment.copy(columnMajor, 0, b.h, JAVA_FLOAT, 0, n * n);
            SGEBAL.invokeExact(b.job, b.order, b.h, b.order, b.ilo, b.ihi, b.scale, b.info, 1L);
            check("sgebal", b.info);
            b.lwork.set(JAVA_INT, 0, (int) (b.hrdWork.byteSize() / Float.BYTES));
            SGEHRD.invokeExact(b.order, b.ilo, b.ihi, b.h, b.order, b.tau, b.hrdWork, b.lwork, b.info);
            check("sgehrd", b.info);
            int low = b.ilo.get(JAVA_INT, 0), high = b.ihi.get(JAVA_INT, 0); // 1-based, as LAPACK's
            if (high > low) {
                b.lwork.set(JAVA_INT, 0, (int) (b.qrWork.byteSize() / Float.BYTES));
                SLAQR0.invokeExact(
                        b.no, b.no, b.order, b.ilo, b.ihi, b.h, b.order, b.wr, b.wi, b.ilo, b.ihi, b.z, b.one, b.qrWork,
                        b.lwork, b.info);
                check("slaqr0", b.info);
                if (b.info.get(JAVA_INT, 0) != 0) return null;
            }
            float[] out = new float[2 * n];
            for (int i = 0; i < n; i++) {
                boolean isolated = i < low - 1 || i > high - 1 || high == low; // balancing's: h's diagonal
                out[2 * i] = isolated ? b.h.getAtIndex(JAVA_FLOAT, (long) i * n + i) : b.wr.getAtIndex(JAVA_FLOAT, i);
                out[2 * i + 1] = isolated ? 0f : b.wi.getAtIndex(JAVA_FLOAT, i);
            }
            return out;
        } catch (Throwable t) {
            throw Lanes.rethrow(t);
        }
    }

    /**
     * One thread's native buffers for its last order and window: the matrix, LAPACK's vectors and scalars, and
     * {@code sgehrd}'s workspace, sized by one query per order (as {@code Spectra} keeps {@code sgeev}'s). From an
     * automatic arena: freed when the thread moves to another order or ends.
     */
    private static final class Buffers {
        final int n, window;
        final MemorySegment h, scale, tau, wr, wi, z, hrdWork, qrWork, job;
        final MemorySegment order, ilo, ihi, info, lwork, no, one;

        private static final ThreadLocal<Buffers> MINE = new ThreadLocal<>();

        static Buffers of(int n, int window) {
            Buffers b = MINE.get();
            if (b == null || b.n != n || b.window != window) MINE.set(b = new Buffers(n, window));
            return b;
        }

        private Buffers(int n, int window) {
            this.n = n;
            this.window = window;
            Arena arena = Arena.ofAuto();
            h = arena.allocate(JAVA_FLOAT, (long) n * n);
            scale = arena.allocate(JAVA_FLOAT, n);
            tau = arena.allocate(JAVA_FLOAT, Math.max(1, n - 1));
            wr = arena.allocate(JAVA_FLOAT, n);
            wi = arena.allocate(JAVA_FLOAT, n);
            z = arena.allocate(JAVA_FLOAT);
            qrWork = arena.allocate(JAVA_FLOAT, 2L * window + 1);
            job = arena.allocate(1);
            job.set(JAVA_BYTE, 0, (byte) 'B');
            order = integer(arena, n);
            ilo = integer(arena, 1);
            ihi = integer(arena, n);
            info = integer(arena, 0);
            lwork = integer(arena, -1);
            no = integer(arena, 0);
            one = integer(arena, 1);
            hrdWork = arena.allocate(JAVA_FLOAT, hrdWorkspace(arena));
        }

        /** {@code sgehrd}'s optimal workspace for order n (it depends on n alone: its block size is LAPACK's for n). */
        private long hrdWorkspace(Arena arena) {
            MemorySegment query = arena.allocate(JAVA_FLOAT);
            try {
                SGEHRD.invokeExact(order, ilo, ihi, h, order, tau, query, lwork, info);
            } catch (Throwable t) {
                throw Lanes.rethrow(t);
            }
            check("sgehrd workspace query", info);
            return Math.max(1, (long) query.get(JAVA_FLOAT, 0));
        }
    }

    private static MemorySegment integer(Arena arena, int value) {
        MemorySegment s = arena.allocate(JAVA_INT);
        s.set(JAVA_INT, 0, value);
        return s;
    }

    /** An argument error ({@code info < 0}) is a bug here: thrown, as {@code sgeev}'s is. */
    private static void check(String stage, MemorySegment info) {
        int code = info.get(JAVA_INT, 0);
        if (code < 0) throw new ArithmeticException(stage + " failed: info = " + code);
    }
}
