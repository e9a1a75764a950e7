package dev.plateau.engine;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The C heap that libtorch allocates from on the CPU. glibc keeps freed blocks for reuse, and after many differently
 * sized tensors (one batch of samples after another) its arenas hold far more than is live: the process's memory
 * creeps up batch after batch although nothing is kept. {@link #trim()} hands the free pages back (glibc's
 * {@code malloc_trim}); where there is no such function (another C library) it does nothing.
 */
public final class NativeHeap {
    private static final Optional<MethodHandle> TRIM = find();

    private NativeHeap() {
    }

    private static Optional<MethodHandle> find() {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find("malloc_trim").map(address -> linker.downcallHandle(address,
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG)));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /** Returns the C heap's free memory to the system; true when the C library could. */
    public static boolean trim() {
        if (TRIM.isEmpty()) {
            return false;
        }
        try {
            return (int) TRIM.get().invokeExact(0L) != 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
