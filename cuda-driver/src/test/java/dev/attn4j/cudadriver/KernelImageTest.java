package dev.attn4j.cudadriver;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Where a kernel image comes from: the file the property names, else the class-path resource, else
 * nowhere (no GPU needed). This class's own bytecode stands in for a resource that is there.
 */
class KernelImageTest {
    private static final String PROPERTY = "attn4j.test.kernelImage";
    private static final String PRESENT = "KernelImageTest.class";

    @AfterEach
    void clearProperty() {
        System.clearProperty(PROPERTY);
    }

    @Test
    void readsTheResource() {
        assertTrue(KernelImage.load(KernelImageTest.class::getResourceAsStream, PRESENT, PROPERTY).orElseThrow().length > 0);
    }

    @Test
    void aResourceThatIsNotThereIsEmpty() {
        assertTrue(KernelImage.load(KernelImageTest.class::getResourceAsStream, "/dev/attn4j/cudadriver/absent.fatbin", PROPERTY).isEmpty());
    }

    @Test
    void aFileThePropertyNamesWinsOverTheResource(@TempDir Path dir) throws IOException {
        Path file = Files.write(dir.resolve("variant.fatbin"), new byte[] {1, 2, 3});
        System.setProperty(PROPERTY, file.toString());
        assertArrayEquals(new byte[] {1, 2, 3}, KernelImage.load(KernelImageTest.class::getResourceAsStream, PRESENT, PROPERTY).orElseThrow());
    }
}
