package dev.plateau.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class NativeHeapTest {
    /** glibc, where the C library is glibc (this machine's and the installers' Linux). */
    private static final boolean GLIBC = Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6"))
            || Files.exists(Path.of("/lib/x86_64-linux-gnu/libc.so.6"))
            || Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libc.so.6"));

    @Test
    void theHeapIsSetUpAndTrimmedOnlyBeyondTheSlack() {
        assertEquals(GLIBC, NativeHeap.configure(), "mallopt takes the thresholds on glibc, and only there");
        assertEquals(NativeHeap.configure(), NativeHeap.configure(), "set up once");
        assertFalse(NativeHeap.trimAbove(Long.MAX_VALUE), "no heap holds more free bytes than that: nothing trimmed");
        assertEquals(GLIBC, NativeHeap.trimAbove(-1), "any free memory is beyond a negative slack: trimmed");
    }
}
