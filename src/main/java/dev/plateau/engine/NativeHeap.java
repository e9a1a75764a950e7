package dev.plateau.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Collections;
import java.util.Optional;

/**
 * Native memory that a batch of work leaves behind although nothing of it is live. DJL hands data to libtorch through
 * direct byte buffers (every layer's weights, every batch's pixels), whose memory the JVM frees only when a garbage
 * collection finds them unreachable, and that may wait until the direct buffers reach the heap's size: measured on a
 * real-size SmolVLA, the process grew from 3.1 GB at 4 samples to 5.4 GB at 64. And glibc keeps freed blocks in its
 * arenas for reuse. {@link #release()} runs a collection (which frees the dead buffers) and hands the C heap's free
 * pages back (glibc's {@code malloc_trim}; where there is no such function, another C library, only the collection);
 * {@link #trim()} hands the pages back without the collection.
 */
public final class NativeHeap {
    private static final Optional<MethodHandle> TRIM = find("malloc_trim", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_LONG));
    /** glibc's mallinfo2(): ten size_t fields; fordblks, the free bytes in the heap, is the ninth. */
    private static final Optional<MethodHandle> MALLINFO = find("mallinfo2", FunctionDescriptor.of(
            MemoryLayout.structLayout(Collections.nCopies(10, ValueLayout.JAVA_LONG).toArray(MemoryLayout[]::new))));
    private static final int FREE_BYTES = 8;
    /** glibc's mallopt parameters (malloc.h). */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;
    /** glibc's largest mmap threshold on 64-bit systems. */
    private static final int MMAP_THRESHOLD_MAX = 32 << 20;
    private static final boolean CONFIGURED = setHeap();

    private NativeHeap() {
    }

    private static Optional<MethodHandle> find(String name, FunctionDescriptor signature) {
        try {
            Linker linker = Linker.nativeLinker();
            return linker.defaultLookup().find(name).map(address -> linker.downcallHandle(address, signature));
        } catch (RuntimeException | LinkageError e) {
            return Optional.empty();
        }
    }

    /**
     * Sets glibc's heap so that a forward pass reuses its memory instead of asking the kernel for fresh pages: blocks up
     * to 32 MB come from the heap from the start (glibc otherwise maps each block over its adaptive threshold, 128 KB
     * at first, afresh, and a page fault per 4 KB of it costs more than the arithmetic on it), and free() never hands
     * the heap's top back by itself ({@link #trim()} does, where the caller chooses). Done once, before the first heavy
     * work of a process; true when the C library took it.
     */
    public static boolean configure() {
        return CONFIGURED;
    }

    private static boolean setHeap() {
        Optional<MethodHandle> mallopt = find("mallopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        if (mallopt.isEmpty() || TRIM.isEmpty()) {
            return false;
        }
        try {
            boolean mmap = (int) mallopt.get().invokeExact(M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX) == 1;
            boolean trim = (int) mallopt.get().invokeExact(M_TRIM_THRESHOLD, Integer.MAX_VALUE) == 1;
            return mmap && trim;
        } catch (Throwable e) {
            return false;
        }
    }

    /**
     * Frees the native memory of unreachable direct buffers and returns the C heap's free pages to the system; meant
     * between batches of heavy work (it costs a garbage collection). True when the C library could trim.
     */
    public static boolean release() {
        System.gc();
        return trim();
    }

    /**
     * Returns the C heap's free memory to the system when it holds more than {@code slack} bytes free; true when it
     * did. Meant after every layer of a forward pass: freed blocks between a batch's long-lived states would otherwise
     * pile up (1 GB more at the peak of a real-size SmolVLA batch), while trimming every time makes the next layer
     * fault its pages in again (measured: 15 % of the forward's time on a real-size SmolVLA).
     */
    public static boolean trimAbove(long slack) {
        if (MALLINFO.isPresent()) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment info = (MemorySegment) MALLINFO.get().invokeExact((SegmentAllocator) arena);
                if (info.getAtIndex(ValueLayout.JAVA_LONG, FREE_BYTES) <= slack) {
                    return false;
                }
            } catch (Throwable e) {
                // no statistics: trim
            }
        }
        return trim();
    }

    /** Returns the C heap's free memory to the system; true when the C library can (whether or not any was free). */
    public static boolean trim() {
        if (TRIM.isEmpty()) {
            return false;
        }
        try {
            int released = (int) TRIM.get().invokeExact(0L);
            return true;
        } catch (Throwable e) {
            return false;
        }
    }
}
