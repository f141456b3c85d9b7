package dev.attn4j.cudadriver;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The probe's cause is the line of JCuda's error that says what failed, and a missing driver is
 * told apart from JCuda's own library missing (the module-path case JCudaNatives exists for).
 */
class JCudaNativesTest {
    /** JCuda 12.6's message when libcuda.so.1 is missing, as it prints it (stack frames left out). */
    private static final String NO_DRIVER = """
            Error while loading native library "JCudaDriver-12.6.0-linux-x86_64"
            Operating system name: Linux
            Architecture         : amd64
            Architecture bit size: 64
            ---(start of nested stack traces)---
            Stack trace from the attempt to load the library as a file:
            java.lang.UnsatisfiedLinkError: no JCudaDriver-12.6.0-linux-x86_64 in java.library.path: /usr/lib
            \tat java.base/java.lang.ClassLoader.loadLibrary(ClassLoader.java:2458)
            Stack trace from the attempt to load the library as a resource:
            java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: No such file or directory
            \tat java.base/jdk.internal.loader.NativeLibraries.load(Native Method)
            ---(end of nested stack traces)---
            """;

    /** The same when the natives jar cannot be read (JCuda alone on the module path). */
    private static final String NO_NATIVES = NO_DRIVER.replace(
            "java.lang.UnsatisfiedLinkError: /tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open "
                    + "shared object file: No such file or directory",
            "java.io.IOException: No resource found with name '/lib/libJCudaDriver-12.6.0-linux-x86_64.so'");

    @Test
    void theResourceAttemptsLineIsTheCause() {
        String d = JCudaNatives.detail(new UnsatisfiedLinkError(NO_DRIVER));
        assertEquals("/tmp/libJCudaDriver-12.6.0-linux-x86_64.so: libcuda.so.1: cannot open shared object file: "
                + "No such file or directory", d);
        assertTrue(JCudaNatives.isDriverMissing(d));
        String n = JCudaNatives.detail(new UnsatisfiedLinkError(NO_NATIVES));
        assertEquals("java.io.IOException: No resource found with name '/lib/libJCudaDriver-12.6.0-linux-x86_64.so'", n);
        assertFalse(JCudaNatives.isDriverMissing(n));
        assertEquals("Could not initialize class jcuda.driver.JCudaDriver",
                JCudaNatives.detail(new NoClassDefFoundError("Could not initialize class jcuda.driver.JCudaDriver")));
    }

    @Test
    void loadingTwiceGivesTheFirstReasonNotJcudasSecondMessage() {
        Optional<String> first = JCudaNatives.load();
        assertEquals(first, JCudaNatives.load(), "the second backend sees the same cause");
        // Either the driver is here (a GPU host) or its absence is named, never "Could not initialize class".
        first.ifPresent(why -> assertTrue(JCudaNatives.isDriverMissing(why), why));
    }
}
